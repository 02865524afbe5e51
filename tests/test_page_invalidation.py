"""Precise invalidation (films/cache.py): a change makes stale only the pages that show it, here and in the HTTP
caches in front (films/purge.py); the headers those caches read; concurrent misses wait for one render."""

import datetime
import http.server
import json
import threading
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import get_max_age
from django.utils.translation import override

from films import cache as page_cache
from films.models import (
    Award,
    AwardResult,
    Credit,
    Edition,
    Film,
    FilmTitle,
    Person,
    Screening,
    ScreeningFilm,
    Section,
    Selection,
    Venue,
)

FILM = "/en/films/we-will-not-fade-away/"
OTHER_FILM = "/en/films/the-other-film/"
PERSON = "/en/people/alisa-kovalenko/"
SEARCH = "/en/search/?q=fade"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    settings.FESTIVAL_PURGE_URLS = []
    cache.clear()
    page_cache.local_pages.clear()
    yield
    cache.clear()
    page_cache.local_pages.clear()


@pytest.fixture
def two_editions(catalogue_film, edition, festival, screen):
    """The example film in idfa-2023, and another film in an earlier edition, idfa-2022."""
    earlier = Edition.objects.create(
        festival=festival,
        key="idfa-2022",
        year=2022,
        name="IDFA 2022",
        start_date=datetime.date(2022, 11, 9),
        end_date=datetime.date(2022, 11, 20),
        timezone="Europe/Amsterdam",
        published=True,
    )
    panorama = Section.objects.create(edition=earlier, key="panorama", name="Panorama", published=True)
    other = Film.objects.create(
        key="the-other-film", title="The Other Film", year=2022, runtime_minutes=90, published=True
    )
    Selection.objects.create(section=panorama, film=other)
    screening = Screening.objects.create(
        edition=earlier,
        key="other-1",
        screen=screen,
        section=panorama,
        starts_at=datetime.datetime(2022, 11, 12, 18, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2022, 11, 12, 19, 30, tzinfo=datetime.UTC),
        published=True,
    )
    ScreeningFilm.objects.create(screening=screening, film=other, order=0)
    return {
        "film": FILM,
        "other film": OTHER_FILM,
        "programme": f"/en/{edition.key}/programme/?day=2023-11-12",
        "other programme": "/en/idfa-2022/programme/?day=2022-11-12",
        "json": f"/api/v1/{edition.key}/programme.json",
        "other json": "/api/v1/idfa-2022/programme.json",
        "person": PERSON,
        "search": SEARCH,
    }


def warm(client, pages):
    for url in pages.values():
        assert client.get(url).status_code == 200, url
    assert {name: client.get(url)["X-Page-Cache"] for name, url in pages.items()} == dict.fromkeys(pages, "hit")


def states(client, pages):
    return {name: client.get(url)["X-Page-Cache"] for name, url in pages.items()}


def committed(django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True):
        change()


def test_a_film_change_stales_its_page_its_editions_pages_its_people_and_search_only(
    client, two_editions, catalogue_film, django_capture_on_commit_callbacks
):
    warm(client, two_editions)

    def retitle():
        catalogue_film.title = "We Will Not Fade Away (restored)"
        catalogue_film.save()

    committed(django_capture_on_commit_callbacks, retitle)
    assert states(client, two_editions) == {
        "film": "miss",
        "other film": "hit",
        "programme": "miss",
        "other programme": "hit",
        "json": "miss",
        "other json": "hit",
        "person": "miss",
        "search": "miss",
    }
    assert "We Will Not Fade Away (restored)" in client.get(two_editions["programme"]).content.decode()


def test_a_film_title_in_another_language_is_a_change_to_the_film(
    client, two_editions, catalogue_film, django_capture_on_commit_callbacks
):
    warm(client, two_editions)
    committed(
        django_capture_on_commit_callbacks,
        lambda: FilmTitle.objects.create(film=catalogue_film, title="Nous ne faiblirons pas", language="fr", order=5),
    )
    found = states(client, two_editions)
    assert (found["film"], found["programme"], found["other film"], found["other programme"]) == (
        "miss",
        "miss",
        "hit",
        "hit",
    )


def test_a_screening_change_stales_its_edition_and_its_films_but_not_the_other_edition(
    client, two_editions, catalogue_film, django_capture_on_commit_callbacks
):
    warm(client, two_editions)
    screening = Screening.objects.get(edition__key="idfa-2023")

    def add_note():
        screening.note = "With a Q&A after the film."
        screening.save()

    committed(django_capture_on_commit_callbacks, add_note)
    assert states(client, two_editions) == {
        "film": "miss",
        "other film": "hit",
        "programme": "miss",
        "other programme": "hit",
        "json": "miss",
        "other json": "hit",
        "person": "hit",
        "search": "hit",
    }
    assert "With a Q&A after the film." in client.get(two_editions["json"]).content.decode()


def test_a_screening_in_the_earlier_edition_stales_that_edition_only(
    client, two_editions, django_capture_on_commit_callbacks
):
    warm(client, two_editions)
    screening = Screening.objects.get(edition__key="idfa-2022")

    def cancel():
        screening.status = Screening.Status.CANCELLED
        screening.save()

    committed(django_capture_on_commit_callbacks, cancel)
    assert states(client, two_editions) == {
        "film": "hit",
        "other film": "miss",
        "programme": "hit",
        "other programme": "miss",
        "json": "hit",
        "other json": "miss",
        "person": "hit",
        "search": "hit",
    }


@pytest.fixture
def three_days(two_editions, edition):
    return {
        "11 Nov": f"/en/{edition.key}/programme/?day=2023-11-11",
        "12 Nov": two_editions["programme"],
        "13 Nov": f"/en/{edition.key}/programme/?day=2023-11-13",
        "12 Nov, grid": two_editions["programme"] + "&view=grid",
        "json": two_editions["json"],
        "other programme": two_editions["other programme"],
    }


def test_a_screening_change_stales_its_day_of_the_programme_not_the_other_days(
    client, three_days, edition, django_capture_on_commit_callbacks
):
    warm(client, three_days)
    screening = Screening.objects.get(edition=edition)

    def add_note():
        screening.note = "Sold out."
        screening.save()

    committed(django_capture_on_commit_callbacks, add_note)
    assert states(client, three_days) == {
        "11 Nov": "hit",
        "12 Nov": "miss",
        "13 Nov": "hit",
        "12 Nov, grid": "miss",
        "json": "miss",
        "other programme": "hit",
    }


def test_a_screening_moved_to_another_day_stales_both_days(
    client, three_days, edition, django_capture_on_commit_callbacks
):
    warm(client, three_days)
    screening = Screening.objects.get(edition=edition)

    def move():
        screening.starts_at += datetime.timedelta(days=1)
        screening.ends_at += datetime.timedelta(days=1)
        screening.save()

    committed(django_capture_on_commit_callbacks, move)
    assert states(client, three_days) == {
        "11 Nov": "hit",
        "12 Nov": "miss",
        "13 Nov": "miss",
        "12 Nov, grid": "miss",
        "json": "miss",
        "other programme": "hit",
    }
    assert "We Will Not Fade Away" in client.get(three_days["13 Nov"]).content.decode()
    assert "We Will Not Fade Away" not in client.get(three_days["12 Nov"]).content.decode()


def test_a_new_screening_stales_every_day_of_its_edition(
    client, three_days, edition, make_screening, django_capture_on_commit_callbacks
):
    from tests.conftest import local

    warm(client, three_days)
    committed(django_capture_on_commit_callbacks, lambda: make_screening(local(2023, 11, 13, 21), key="late"))
    assert states(client, three_days) == {
        "11 Nov": "miss",
        "12 Nov": "miss",
        "13 Nov": "miss",
        "12 Nov, grid": "miss",
        "json": "miss",
        "other programme": "hit",
    }


def test_a_section_change_stales_its_edition_and_the_films_selected_in_it(
    client, two_editions, section, django_capture_on_commit_callbacks
):
    warm(client, two_editions)

    def rename():
        section.name = "Best of the Festivals"
        section.save()

    committed(django_capture_on_commit_callbacks, rename)
    found = states(client, two_editions)
    assert found == {
        "film": "miss",
        "other film": "hit",
        "programme": "miss",
        "other programme": "hit",
        "json": "miss",
        "other json": "hit",
        "person": "hit",
        "search": "miss",
    }


def test_a_person_change_stales_their_page_their_films_and_search(
    client, two_editions, django_capture_on_commit_callbacks
):
    warm(client, two_editions)
    alisa = Person.objects.get(key="alisa-kovalenko")

    def rename():
        alisa.name = "Alisa Kovalenko-Renamed"
        alisa.save()

    committed(django_capture_on_commit_callbacks, rename)
    assert states(client, two_editions) == {
        "film": "miss",
        "other film": "hit",
        "programme": "miss",
        "other programme": "hit",
        "json": "miss",
        "other json": "hit",
        "person": "miss",
        "search": "miss",
    }
    assert "Alisa Kovalenko-Renamed" in client.get(FILM).content.decode()


def test_an_award_result_stales_its_edition_and_its_film_only(
    client, two_editions, edition, section, catalogue_film, django_capture_on_commit_callbacks
):
    award = Award.objects.create(edition=edition, section=section, key="audience-award", name="Audience Award")
    pages = {**two_editions, "award": "/en/awards/audience-award/", "awards": f"/en/{edition.key}/awards/"}
    edition.results_announced_at = datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC)
    Edition.objects.filter(pk=edition.pk).update(results_announced_at=edition.results_announced_at)
    AwardResult.objects.create(award=award, film=Film.objects.get(key="the-other-film"), citation="A first winner.")
    cache.clear()
    warm(client, pages)
    committed(
        django_capture_on_commit_callbacks,
        lambda: AwardResult.objects.create(award=award, film=catalogue_film, citation="For courage."),
    )
    found = states(client, pages)
    assert {name: state for name, state in found.items() if state == "miss"} == {
        "film": "miss",
        "programme": "miss",
        "json": "miss",
        "award": "miss",
        "awards": "miss",
        # The other film won this award before: the award's keys name it too.
        "other film": "miss",
    }
    assert "For courage." in client.get(pages["awards"]).content.decode()


@pytest.mark.parametrize("change", ["edition", "venue"])
def test_changes_shown_across_editions_stale_every_page(
    client, two_editions, edition, venue, change, django_capture_on_commit_callbacks
):
    warm(client, two_editions)
    record = {"edition": edition, "venue": venue}[change]
    record.name = f"{record.name} (renamed)"
    committed(django_capture_on_commit_callbacks, record.save)
    assert states(client, two_editions) == dict.fromkeys(two_editions, "miss")


def test_a_renamed_film_key_stales_the_page_at_the_old_address(
    client, two_editions, catalogue_film, django_capture_on_commit_callbacks
):
    warm(client, two_editions)

    def rekey():
        catalogue_film.key = "we-will-not-fade-away-2023"
        catalogue_film.save()

    committed(django_capture_on_commit_callbacks, rekey)
    assert client.get(FILM).status_code == 404
    assert client.get("/en/films/we-will-not-fade-away-2023/").status_code == 200


def test_a_film_page_is_stale_when_a_film_it_suggests_changes(
    client, catalogue_film, section, django_capture_on_commit_callbacks
):
    neighbour = Film.objects.create(
        key="a-neighbour", title="A Neighbour", year=2023, runtime_minutes=80, published=True
    )
    Selection.objects.create(section=section, film=neighbour)
    assert "A Neighbour" in client.get(FILM).content.decode()
    assert "film-a-neighbour" in client.get(FILM)["Surrogate-Key"].split()

    def retitle():
        neighbour.title = "A Neighbour Retitled"
        neighbour.save()

    committed(django_capture_on_commit_callbacks, retitle)
    response = client.get(FILM)
    assert response["X-Page-Cache"] == "miss"
    assert "A Neighbour Retitled" in response.content.decode()


def test_the_keys_each_kind_of_record_bumps(two_editions, catalogue_film, edition, section, venue):
    screening = Screening.objects.get(edition=edition)
    alisa = Person.objects.get(key="alisa-kovalenko")
    credit = Credit.objects.filter(film=catalogue_film, person=alisa).first()
    film_keys = {
        "film-we-will-not-fade-away",
        "edition-idfa-2023",
        "programme-idfa-2023",
        "person-alisa-kovalenko",
        *(f"person-{key}" for key in Person.objects.filter(credits__film=catalogue_film).values_list("key", flat=True)),
        *(
            f"person-{key}"
            for key in Person.objects.filter(filmography__film=catalogue_film).values_list("key", flat=True)
        ),
        "search",
        "venues",
    }
    assert page_cache.change_keys(Film, catalogue_film) == film_keys
    # A new screening (nothing saved before) may add a venue or subtitles to the programme's filters: every day.
    screening_keys = {"edition-idfa-2023", "day-idfa-2023-2023-11-12", "film-we-will-not-fade-away", "venues"}
    assert page_cache.change_keys(Screening, screening) == {*screening_keys, "programme-idfa-2023"}
    # A saved one keeps to its day, unless its screen, subtitles or publication change.
    page_cache.remember_old_key(Screening, screening)
    screening.note = "Q&A"
    assert page_cache.change_keys(Screening, screening) == screening_keys
    screening.subtitles = ["en", "nl"]
    assert page_cache.change_keys(Screening, screening) == {*screening_keys, "programme-idfa-2023"}
    assert page_cache.change_keys(Section, section) == {
        "edition-idfa-2023",
        "programme-idfa-2023",
        "film-we-will-not-fade-away",
        "search",
    }
    assert page_cache.change_keys(Credit, credit) >= film_keys
    assert page_cache.change_keys(Selection, catalogue_film.selections.get()) == film_keys
    for model, record in ((Edition, edition), (Venue, venue)):
        assert page_cache.change_keys(model, record) == {"all"}


def test_pages_carry_their_keys_and_the_headers_a_shared_cache_needs(client, two_editions, edition):
    expected = {
        FILM: "all film-we-will-not-fade-away",
        two_editions["programme"]: "all day-idfa-2023-2023-11-12 programme-idfa-2023",
        two_editions["json"]: "all edition-idfa-2023",
        PERSON: "all person-alisa-kovalenko",
        SEARCH: "all search",
        "/en/venues/example-cinema/": "all venues",
        "/en/editions/": "all",
        "/en/": "all day-idfa-2023-2023-11-08 programme-idfa-2023",
        "/sitemap.xml": "all other",
    }
    for url, keys in expected.items():
        for state in ("miss", "hit"):
            response = client.get(url)
            assert response["X-Page-Cache"] == state, url
            assert response["Surrogate-Key"] == keys, url
            directives = dict(
                [*part.strip().split("="), True][:2] for part in response["Cache-Control"].split(",") if part.strip()
            )
            assert directives == {
                "public": True,
                "max-age": "0",
                "s-maxage": directives["s-maxage"],
                "stale-while-revalidate": "30",
                "stale-if-error": "86400",
            }, url
            assert 298 <= int(directives["s-maxage"]) <= 300, url


def test_shared_caches_keep_a_page_no_longer_than_until_its_next_scheduled_change(client, catalogue_film, monkeypatch):
    from django.utils import timezone

    # The example film's screening starts 2023-11-12 18:15 UTC: one minute later the page shows it as started.
    clock = datetime.datetime(2023, 11, 12, 18, 14, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: clock)
    monkeypatch.setattr(page_cache.time, "time", lambda: clock.timestamp())
    assert get_max_age(client.get(FILM)) == 0
    response = client.get(FILM)
    assert response["X-Page-Cache"] == "hit"
    assert "s-maxage=60" in response["Cache-Control"].replace(" ", "").split(",")


def test_pages_not_cached_carry_no_shared_cache_headers(client, catalogue_film, admin_client):
    missing = client.get("/en/films/no-such-film/")
    assert missing.status_code == 404
    assert "Surrogate-Key" not in missing
    assert "s-maxage" not in missing.get("Cache-Control", "")
    admin = admin_client.get(FILM)
    assert "Surrogate-Key" not in admin
    assert "X-Page-Cache" not in admin


# The purge hook ------------------------------------------------------------------------------------------------


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    received = []
    status = 200

    def do_PURGE(self):
        type(self).received.append((self.command, self.path, self.headers["xkey-purge"]))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server(settings):
    PurgeRecorder.received = []
    PurgeRecorder.status = 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FESTIVAL_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}/"]
    yield PurgeRecorder
    server.shutdown()
    server.server_close()


def test_a_change_sends_its_keys_to_the_http_cache(purge_server, catalogue_film, django_capture_on_commit_callbacks):
    screening = Screening.objects.get()

    def move():
        screening.starts_at += datetime.timedelta(hours=1)
        screening.ends_at += datetime.timedelta(hours=1)
        screening.save()

    purge_server.received = []
    committed(django_capture_on_commit_callbacks, move)
    assert purge_server.received == [
        ("PURGE", "/", "day-idfa-2023-2023-11-12 edition-idfa-2023 film-we-will-not-fade-away other venues")
    ]


def test_an_admin_save_sends_one_purge(purge_server, admin_client, catalogue_film):
    from tests.admin_forms import form_data

    url = f"/admin/films/venue/{Venue.objects.get().pk}/change/"
    data = form_data(admin_client, url)
    purge_server.received = []
    response = admin_client.post(url, {**data, "name": "Example Cinema Renamed"})
    assert response.status_code == 302
    assert purge_server.received == [("PURGE", "/", "all other")]


def test_an_unreachable_or_refusing_http_cache_never_fails_a_save(
    purge_server, settings, catalogue_film, caplog, django_capture_on_commit_callbacks
):
    purge_server.status = 403
    settings.FESTIVAL_PURGE_URLS = [*settings.FESTIVAL_PURGE_URLS, "http://127.0.0.1:9/"]
    catalogue_film.title = "Saved Anyway"
    committed(django_capture_on_commit_callbacks, catalogue_film.save)
    assert Film.objects.get(pk=catalogue_film.pk).title == "Saved Anyway"
    warnings = [record.getMessage() for record in caplog.records if record.name == "films.purge"]
    assert len(warnings) == 2
    assert "answered 403" in warnings[0]
    assert "127.0.0.1:9" in warnings[1]


def test_long_lists_of_keys_go_in_several_purges():
    keys = [f"film-{number:04d}" for number in range(1000)]
    from films import purge

    batches = list(purge.batches(keys, limit=100))
    assert all(len(batch) <= 100 for batch in batches)
    assert [name for batch in batches for name in batch.split(" ")] == keys


def test_a_purge_url_must_be_http(settings):
    from films import purge

    settings.FESTIVAL_PURGE_URLS = ["ftp://cache.example/"]
    with pytest.raises(ValueError, match="not an http"):
        purge.targets()


# Single flight and races -------------------------------------------------------------------------------------


def middleware_with(view):
    return page_cache.PublicPageCacheMiddleware(view)


def public_request(path="/en/slow/"):
    request = RequestFactory().get(path)
    return request


@pytest.fixture
def no_scheduled_change(db):
    # Computed once, before the threads: they then read it from the cache.
    page_cache.scheduled_change(page_cache.publication_version())


def test_concurrent_misses_wait_for_one_render(no_scheduled_change):
    renders = []

    def slow_view(request):
        renders.append(1)
        time.sleep(0.3)
        return HttpResponse(f"rendered {len(renders)}")

    middleware = middleware_with(slow_view)
    answers = []

    def visit():
        with override("en"):
            answers.append(middleware(public_request()))

    threads = [threading.Thread(target=visit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert sorted(answer["X-Page-Cache"] for answer in answers) == ["hit", "hit", "hit", "hit", "miss"]
    assert {answer.content for answer in answers} == {b"rendered 1"}


def test_waiting_for_another_render_is_bounded(no_scheduled_change, settings):
    settings.FESTIVAL_PAGE_CACHE_WAIT_SECONDS = 0.05
    renders = []

    def slow_view(request):
        renders.append(1)
        time.sleep(0.4)
        return HttpResponse("slow")

    middleware = middleware_with(slow_view)
    threads = [threading.Thread(target=lambda: middleware(public_request())) for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 3
    assert time.monotonic() - started < 1.2


def test_a_page_rendered_while_a_change_commits_is_served_but_not_stored(no_scheduled_change):
    calls = []

    def view(request):
        calls.append(1)
        if len(calls) == 1:
            # A programmer's save commits while this page renders (from the old data, perhaps).
            page_cache.invalidate({"film-elsewhere"})
        return HttpResponse(f"render {len(calls)}")

    middleware = middleware_with(view)
    with override("en"):
        assert middleware(public_request()).content == b"render 1"
        second = middleware(public_request())
        assert (second["X-Page-Cache"], second.content) == ("miss", b"render 2")
        third = middleware(public_request())
        assert (third["X-Page-Cache"], third.content) == ("hit", b"render 2")


# Exports kept while what they show is unchanged ---------------------------------------------------------------


def test_the_whole_edition_json_is_built_once_for_each_state_of_its_edition(
    client, two_editions, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    settings.FESTIVAL_EXPORT_CACHE = True
    url = two_editions["json"]
    first = client.get(url)
    assert first["Content-Type"] == "application/json"
    # Only the edition is looked up: the document is kept.
    with django_assert_num_queries(1):
        assert client.get(url).content == first.content
    other = Screening.objects.get(edition__key="idfa-2022")
    other.note = "Elsewhere."
    committed(django_capture_on_commit_callbacks, other.save)
    with django_assert_num_queries(1):
        assert client.get(url).content == first.content
    screening = Screening.objects.get(edition__key="idfa-2023")
    screening.note = "Kept no longer."
    committed(django_capture_on_commit_callbacks, screening.save)
    changed = client.get(url).content
    assert b"Kept no longer." in changed
    assert json.loads(changed)["screenings"][0]["note"] == {"en": "Kept no longer."}


def test_a_kept_export_is_built_again_when_a_scheduled_change_passes(db, settings, monkeypatch):
    from django.utils import timezone

    settings.FESTIVAL_EXPORT_CACHE = True
    built = []
    clock = [datetime.datetime(2023, 11, 12, 18, 14, tzinfo=datetime.UTC)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    monkeypatch.setattr(page_cache, "next_scheduled_change", lambda now=None: 1_699_812_900.0)  # 18:15 UTC

    def build():
        built.append(1)
        return b"document %d" % len(built)

    assert page_cache.kept("doc", ("all",), build) == b"document 1"
    assert page_cache.kept("doc", ("all",), build) == b"document 1"
    clock[0] = datetime.datetime(2023, 11, 12, 18, 15, tzinfo=datetime.UTC)
    assert page_cache.kept("doc", ("all",), build) == b"document 2"
    assert page_cache.kept("other doc", ("all",), build) == b"document 3"


@pytest.mark.parametrize(
    "address",
    ["/en/idfa-2023/programme.ics", "/en/idfa-2023/programme.ics?section=best-of-fests", "/en/idfa-2023/programme.pdf"],
)
def test_calendars_and_booklets_are_kept_like_the_json(
    client, catalogue_film, settings, address, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    settings.FESTIVAL_EXPORT_CACHE = True
    first = client.get(address)
    assert first.status_code == 200
    # The edition, and the sections when a section can be asked for (the booklet's filters are always checked).
    lookups = 2 if "section=" in address or address.endswith(".pdf") else 1
    with django_assert_num_queries(lookups):
        assert client.get(address).content == first.content
    screening = Screening.objects.get()
    screening.status = Screening.Status.CANCELLED
    committed(django_capture_on_commit_callbacks, screening.save)
    assert client.get(address).content != first.content


@pytest.fixture
def cache_receivers():
    """The page cache's receivers, as ``connect_signals`` names them; connected again as the app does after the test."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

    def disconnect():
        for model in apps.get_app_config("films").get_models():
            uid = f"festival-page-cache-{model._meta.label_lower}"
            pre_save.disconnect(sender=model, dispatch_uid=f"{uid}-old-key")
            post_save.disconnect(sender=model, dispatch_uid=f"{uid}-save")
            pre_delete.disconnect(sender=model, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.disconnect(sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}-m2m")

    yield disconnect
    disconnect()
    page_cache.connect_signals()


def test_cache_signals_connected_again_or_anew_invalidate_once_per_change_of_a_films_record_only(
    film, cache_receivers, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from django.contrib.auth.models import Group, User

    from films.models import Tag

    bumps = []
    monkeypatch.setattr(page_cache, "invalidate", lambda keys: bumps.append(set(keys)))

    def bumped(change):
        bumps.clear()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return list(bumps)

    tag = Tag.objects.create(key="war", name="War")
    user = User.objects.create(username="anna")
    group = Group.objects.create(name="Readers")
    old = film.key

    def changes_invalidate_once(new):
        nonlocal old
        film.key = new
        # Its further titles (the search text), its stored key before the save, the save, its keys after it.
        with django_assert_num_queries(4):
            (keys,) = bumped(film.save)
        # The film's page at its new address and at its old one, and search.
        assert {f"film-{new}", f"film-{old}", "search"} <= keys
        old = new
        (keys,) = bumped(lambda: film.tags.add(tag))
        assert f"film-{new}" in keys
        film.tags.clear()
        title = FilmTitle.objects.create(film=film, title="Expedition 49", language="en")
        (keys,) = bumped(title.delete)
        assert f"film-{new}" in keys
        # Staff accounts are not shown on any public page.
        assert bumped(User.objects.get(pk=user.pk).save) == []
        assert bumped(lambda: user.groups.add(group)) == []
        user.groups.clear()

    # As a reloaded app does: connected again beside the receivers the app connected when it started.
    page_cache.connect_signals()
    changes_invalidate_once("again")
    cache_receivers()
    film.key = "unseen"
    assert bumped(film.save) == []
    old = film.key
    page_cache.connect_signals()
    changes_invalidate_once("anew")
