"""The whole-page cache (films/cache.py): anonymous public pages from the cache, keyed by the publication version."""

import gzip
import socket

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.test import Client, override_settings

from films import cache as page_cache
from films.models import Tag

FILM_URL = "/en/films/we-will-not-fade-away/"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_second_request_is_served_from_the_cache_without_queries(client, catalogue_film, django_assert_num_queries):
    first = client.get(FILM_URL)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(FILM_URL)
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_cached_page_keeps_the_security_headers_and_language(client, catalogue_film):
    first = client.get(FILM_URL)
    second = client.get(FILM_URL)
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert second[header] == first[header]
    assert second["Content-Language"] == "en"


def test_cache_hit_answers_if_none_match_with_304_without_queries(client, catalogue_film, django_assert_num_queries):
    etag = client.get(FILM_URL)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(FILM_URL, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b""


def test_a_client_accepting_gzip_gets_the_page_compressed_from_the_cache_and_others_the_plain_page(
    client, catalogue_film, django_assert_num_queries, monkeypatch
):
    from django.middleware import gzip as gzip_middleware

    plain = client.get(FILM_URL)
    assert plain["X-Page-Cache"] == "miss"
    assert not plain.has_header("Content-Encoding")
    compressions = []
    real_compress = gzip_middleware.compress_string
    monkeypatch.setattr(
        gzip_middleware, "compress_string", lambda *a, **k: compressions.append(1) or real_compress(*a, **k)
    )
    with django_assert_num_queries(0):
        compressed = client.get(FILM_URL, headers={"Accept-Encoding": "br, gzip, deflate"})
    assert compressions == []  # Compressed once, when stored: not again on every hit.
    assert compressed["X-Page-Cache"] == "hit"
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 3
    assert int(compressed["Content-Length"]) == len(compressed.content)
    # Another representation, so a weak validator; both vary by the encoding asked for.
    assert compressed["ETag"] == f"W/{plain['ETag']}"
    assert "Accept-Encoding" in compressed["Vary"]
    assert "Accept-Encoding" in client.get(FILM_URL)["Vary"]
    # A client that does not name gzip gets the plain page from the cache.
    again = client.get(FILM_URL, headers={"Accept-Encoding": "identity"})
    assert again["X-Page-Cache"] == "hit"
    assert not again.has_header("Content-Encoding")
    assert again.content == plain.content
    # Revalidating the compressed copy with its weak ETag: 304.
    revalidated = client.get(FILM_URL, headers={"Accept-Encoding": "gzip", "If-None-Match": compressed["ETag"]})
    assert revalidated.status_code == 304


def test_a_page_rendered_for_a_client_accepting_gzip_is_compressed_too(client, catalogue_film):
    first = client.get(FILM_URL, headers={"Accept-Encoding": "gzip"})
    assert first["X-Page-Cache"] == "miss"
    assert first["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.content) == client.get(FILM_URL).content


def test_scheme_and_host_are_part_of_the_key(client, catalogue_film, settings):
    settings.ALLOWED_HOSTS = ["testserver", "festival.example"]
    assert client.get(FILM_URL)["X-Page-Cache"] == "miss"
    secure = client.get(FILM_URL, secure=True)
    assert secure["X-Page-Cache"] == "miss"
    assert '<link rel="canonical" href="https://testserver/en/films/we-will-not-fade-away/">' in secure.content.decode()
    assert client.get(FILM_URL, headers={"Host": "festival.example"})["X-Page-Cache"] == "miss"
    assert client.get(FILM_URL, secure=True)["X-Page-Cache"] == "hit"


def test_query_string_and_language_are_part_of_the_key(client, catalogue_film, edition):
    url = f"/en/{edition.key}/programme/"
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url + "?day=2023-11-12")["X-Page-Cache"] == "miss"
    assert client.get(url.replace("/en/", "/uk/"))["X-Page-Cache"] == "miss"


def test_save_bumps_the_version_and_the_next_request_shows_the_change(
    client, catalogue_film, django_capture_on_commit_callbacks
):
    client.get(FILM_URL)
    version = page_cache.publication_version()
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_film.title = "A Changed Title"
        catalogue_film.save()
        # Not before the commit: until then other connections still read the old title.
        assert page_cache.publication_version() == version
    assert page_cache.publication_version() > version
    response = client.get(FILM_URL)
    assert response["X-Page-Cache"] == "miss"
    assert "A Changed Title" in response.content.decode()


def test_m2m_change_and_delete_bump_the_version(client, catalogue_film, django_capture_on_commit_callbacks):
    client.get(FILM_URL)
    new_tag = Tag.objects.create(key="courage", name="Courage")
    version = page_cache.publication_version()
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_film.tags.add(new_tag)
    assert page_cache.publication_version() > version
    assert "Courage" in client.get(FILM_URL).content.decode()
    version = page_cache.publication_version()
    with django_capture_on_commit_callbacks(execute=True):
        new_tag.delete()
    assert page_cache.publication_version() > version
    assert "Courage" not in client.get(FILM_URL).content.decode()


def test_every_films_model_bumps_the_version():
    from django.apps import apps
    from django.db.models.signals import post_save, pre_delete

    for model in apps.get_app_config("films").get_models():
        assert post_save.has_listeners(model), model
        assert pre_delete.has_listeners(model), model


def test_version_is_recreated_above_every_earlier_one_after_the_cache_is_cleared(client, catalogue_film):
    client.get(FILM_URL)
    before = page_cache.publication_version()
    cache.clear()
    assert page_cache.bump_publication_version() > before
    assert client.get(FILM_URL)["X-Page-Cache"] == "miss"


def test_api_and_sitemap_are_cached(client, catalogue_film, edition):
    for url in (f"/api/v1/{edition.key}/programme.json", "/sitemap.xml"):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_admin_is_never_cached(admin_client, catalogue_film):
    for _ in range(2):
        response = admin_client.get("/admin/films/film/")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response


def test_logged_in_users_are_never_served_cached_pages(client, catalogue_film):
    client.get(FILM_URL)
    assert client.get(FILM_URL)["X-Page-Cache"] == "hit"
    user = get_user_model().objects.create_user("curator", password="a-long-passphrase", is_staff=True)
    client.force_login(user)
    response = client.get(FILM_URL)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_not_found_and_bad_requests_are_not_cached(client, catalogue_film, edition):
    for _attempt in range(2):
        response = client.get("/en/films/no-such-film/")
        assert response.status_code == 404
        assert "X-Page-Cache" not in response
    # Malformed keys in a personal programme and an unknown filter value in a calendar are 400s.
    for bad in (
        f"/en/my-programme/?edition={edition.key}&s=wwnfa-1,%3Cb%3E",
        f"/en/{edition.key}/programme.ics?section=no-such-section",
    ):
        for _attempt in range(2):
            response = client.get(bad)
            assert response.status_code == 400, bad
            assert "X-Page-Cache" not in response, bad


def test_a_garbage_filter_on_the_programme_is_ignored_and_the_page_cached_under_its_own_address(
    client, catalogue_film, edition
):
    """The programme ignores a day that is not a date (it shows the default day): a 200 like any other."""
    bad = f"/en/{edition.key}/programme/?day=not-a-date"
    first = client.get(bad)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert 'aria-current="date">Wed 8 Nov</a>' in first.content.decode()
    second = client.get(bad)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_post_to_public_page_is_not_cached(client, catalogue_film):
    client.post(FILM_URL)
    assert client.get(FILM_URL)["X-Page-Cache"] == "miss"


def test_responses_setting_a_cookie_are_not_stored():
    from django.http import HttpResponse

    response = HttpResponse("x")
    response.set_cookie("a", "b")
    assert not page_cache.PublicPageCacheMiddleware._cacheable_response(response)
    assert page_cache.PublicPageCacheMiddleware._cacheable_response(HttpResponse("x"))


def test_zero_seconds_turns_the_cache_off(client, catalogue_film, settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    client.get(FILM_URL)
    assert "X-Page-Cache" not in client.get(FILM_URL)


def test_admin_change_by_staff_bumps_the_version(admin_client, catalogue_film):
    version = page_cache.publication_version()
    # A bulk admin action writes with QuerySet.update (no signals); the admin POST itself bumps the version.
    admin_client.post(
        "/admin/films/tag/",
        {"action": "delete_selected", "_selected_action": [], "index": 0},
    )
    assert page_cache.publication_version() > version


def test_an_admin_save_bumps_the_version_once_however_many_rows_it_writes(
    admin_client, catalogue_film, monkeypatch, django_capture_on_commit_callbacks
):
    bumps = []
    real_invalidate = page_cache.invalidate
    monkeypatch.setattr(page_cache, "invalidate", lambda keys: bumps.append(set(keys)) or real_invalidate(keys))
    url = f"/admin/films/film/{catalogue_film.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        for inline_form in formset.formset.forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if value is not None and not isinstance(value, list):
                    data[inline_form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(url, {**data, "title_en": "Saved Once", "_continue": "1"})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert callbacks == []
    assert len(bumps) == 1
    # The film's own keys, not every page's.
    assert {"film-we-will-not-fade-away", f"edition-{catalogue_film.selections.get().section.edition.key}"} <= bumps[0]
    assert "all" not in bumps[0]
    assert "Saved Once" in Client().get(FILM_URL).content.decode()


def test_public_paths():
    assert page_cache.is_public_path("/en/")
    assert page_cache.is_public_path("/uk/films/x/")
    assert page_cache.is_public_path("/api/v1/x/programme.json")
    assert page_cache.is_public_path("/sitemap.xml")
    assert page_cache.is_public_path("/sitemap-idfa-2023-films.xml")
    assert not page_cache.is_public_path("/sitemap-x.txt")
    assert not page_cache.is_public_path("/admin/")
    assert not page_cache.is_public_path("/healthz")
    assert not page_cache.is_public_path("/static/films/error.css")
    assert not page_cache.is_public_path("/english/")


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    import os

    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is unreachable; under CI it is required.")
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable.")
    with override_settings(CACHES={"default": {"BACKEND": "festival.redis_cache.RedisCache", "LOCATION": REDIS_URL}}):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


def test_page_cache_works_with_redis(
    client, catalogue_film, redis_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from festival.redis_cache import RedisCache

    assert isinstance(caches["default"], RedisCache)
    assert client.get(FILM_URL)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(FILM_URL)["X-Page-Cache"] == "hit"
    assert redis_cache.get(page_cache.VERSION_KEY) >= 1
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_film.title = "Changed In Redis"
        catalogue_film.save()
    response = client.get(FILM_URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Changed In Redis" in response.content.decode()


def test_award_results_appear_at_their_announcement_time_without_a_save(client, catalogue_film, edition, monkeypatch):
    import datetime

    from django.utils import timezone

    from films.models import Award, AwardResult, Section, Selection

    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True, published=True
    )
    Selection.objects.create(section=competition, film=catalogue_film)
    award = Award.objects.create(edition=edition, section=competition, key="best", name="Best Film")
    AwardResult.objects.create(award=award, film=catalogue_film, citation="For courage.")
    edition.results_announced_at = datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC)
    edition.save()
    url = f"/en/{edition.key}/awards/"
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 18, 19, 59, tzinfo=datetime.UTC))
    assert "For courage." not in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC))
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "For courage." in response.content.decode()


def test_a_screening_starting_makes_pages_stale(client, catalogue_film, monkeypatch):
    import datetime

    from django.utils import timezone

    # The catalogue film's screening starts 2023-11-12 18:15 UTC.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 18, 14, tzinfo=datetime.UTC))
    client.get(FILM_URL)
    assert client.get(FILM_URL)["X-Page-Cache"] == "hit"
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 18, 15, tzinfo=datetime.UTC))
    assert client.get(FILM_URL)["X-Page-Cache"] == "miss"


def test_next_scheduled_change_takes_the_earliest_future_moment(catalogue_film, edition):
    import datetime

    edition.results_announced_at = datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC)
    edition.save()
    before = datetime.datetime(2023, 11, 1, tzinfo=datetime.UTC)
    screening_start = datetime.datetime(2023, 11, 12, 18, 15, tzinfo=datetime.UTC)
    assert page_cache.next_scheduled_change(before) == screening_start.timestamp()
    after_screening = datetime.datetime(2023, 11, 13, tzinfo=datetime.UTC)
    assert page_cache.next_scheduled_change(after_screening) == edition.results_announced_at.timestamp()
    assert page_cache.next_scheduled_change(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)) is None


def test_a_catalogue_import_makes_cached_pages_stale_though_bulk_writes_send_no_signals(db):
    from pathlib import Path
    from unittest import mock

    from films.catalogue import import_catalogue

    example = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
    with mock.patch("films.catalogue.importer.bump_publication_version") as bump:
        import_catalogue([example], dry_run=True)
        assert bump.call_count == 0
        import_catalogue([example])
        assert bump.call_count == 1


def test_a_revalidating_visitor_after_a_save_gets_304_and_the_page_is_stored(client, catalogue_film):
    etag = client.get(FILM_URL)["ETag"]
    page_cache.bump_publication_version()
    response = client.get(FILM_URL, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["X-Page-Cache"] == "miss"
    # The view rendered the whole page for the cache although this visitor only revalidated.
    again = client.get(FILM_URL)
    assert again["X-Page-Cache"] == "hit"
    assert again["ETag"] == etag
    assert "We Will Not Fade Away" in again.content.decode()


def test_a_changed_page_answers_a_stale_etag_with_the_new_page(
    client, catalogue_film, django_capture_on_commit_callbacks
):
    etag = client.get(FILM_URL)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_film.title = "Retitled"
        catalogue_film.save()
    for state in ("miss", "hit"):
        response = client.get(FILM_URL, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert response["X-Page-Cache"] == state
        assert response["ETag"] != etag
        assert "Retitled" in response.content.decode()


def test_a_hit_is_served_from_process_memory_without_reading_the_page_from_the_shared_cache(
    client, catalogue_film, monkeypatch
):
    keys = client.get(FILM_URL)["Surrogate-Key"].split()
    reads = []
    real_get, real_get_many = cache.get, cache.get_many
    inside_get_many = []

    def get(key, *args, **kwargs):
        if not inside_get_many:  # the local-memory backend's get_many calls get for each key
            reads.append(key)
        return real_get(key, *args, **kwargs)

    def get_many(keys, **kwargs):
        reads.append(tuple(keys))
        inside_get_many.append(1)
        try:
            return real_get_many(keys, **kwargs)
        finally:
            inside_get_many.pop()

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    versions = tuple(f"{page_cache.KEY_VERSION_PREFIX}:{name}" for name in keys)
    assert client.get(FILM_URL)["X-Page-Cache"] == "hit"
    # One read: the versions of the page's keys.
    assert reads == [versions]
    # Another process (an empty local copy) reads the entry from the shared cache once, then keeps it.
    page_cache.local_pages.clear()
    assert client.get(FILM_URL)["X-Page-Cache"] == "hit"
    assert reads[1:] == [page_cache.page_key("en", "http://testserver" + FILM_URL), versions]
    assert client.get(FILM_URL)["X-Page-Cache"] == "hit"
    assert reads[3:] == [versions]


def test_local_copies_are_bounded_by_size_and_expire(settings, monkeypatch):
    settings.FESTIVAL_PAGE_CACHE_LOCAL_BYTES = 25
    pages = page_cache.LocalPages()

    def entry(size):
        return page_cache.Entry('"e"', 0, 200, (), b"x" * size)

    pages.put("a", entry(10), 60)
    pages.put("b", entry(10), 60)
    assert pages.get("a") is not None  # now the most recently used
    pages.put("c", entry(10), 60)
    assert pages.get("b") is None
    assert pages.get("a") is not None
    assert pages.get("c") is not None
    assert pages.size == 20
    pages.put("huge", entry(26), 60)
    assert pages.get("huge") is None
    pages.clear()
    assert (pages.get("a"), pages.size) == (None, 0)
    pages.put("a", entry(25), 60)  # The whole limit again, once emptied.
    assert pages.get("a") is not None
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    pages.put("d", entry(1), 5)
    clock[0] += 5
    assert pages.get("d") is None


def test_entries_stored_by_an_earlier_release_are_not_served(client, catalogue_film):
    from django.http import HttpResponse

    key = page_cache.page_key("en", "http://testserver" + FILM_URL)
    cache.set(key, HttpResponse("an old release's pickled response"))
    response = client.get(FILM_URL)
    assert response["X-Page-Cache"] == "miss"
    assert "We Will Not Fade Away" in response.content.decode()


def test_the_redis_backend_keeps_one_client_per_pool(redis_cache):
    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b", write=True) is client
    redis_cache.set("festival-test", {"a": 1}, 5)
    assert redis_cache.get("festival-test") == {"a": 1}
