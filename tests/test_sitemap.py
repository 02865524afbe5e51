"""/sitemap.xml: an index of parts; every public page in every language once, with hreflang alternates; drafts and
embargoed awards never listed; pages of at most ``limit`` entries; a constant number of queries per part."""

import datetime
import math
import types

import pytest
from django.contrib.sitemaps import Sitemap
from django.template import engines
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import escape

from films import sitemaps
from films.models import (
    Award,
    AwardResult,
    Credit,
    Edition,
    Film,
    Person,
    Screen,
    Screening,
    Section,
    Selection,
    Venue,
)
from films.models.versioned import FIRST_CLOCK_VERSION
from tests.conftest import local
from tests.sitemaps import NS, get_xml, index_locations, sitemap_locations, sitemap_pages, sitemap_urls

LANGUAGES = ("en", "uk", "pl", "de", "nl")
SERVER = "http://testserver"


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def site(make_screening, festival, edition, film, next_edition):
    director = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    Credit.objects.create(film=film, role="director", person=director)
    draft_film = Film.objects.create(key="draft-film", title="Draft Film")
    hidden_person = Person.objects.create(key="hidden-person", name="Hidden Person")
    Credit.objects.create(film=draft_film, role="director", person=hidden_person)
    Section.objects.create(edition=edition, key="hidden-section", name="Hidden")
    draft_edition = next_edition
    Section.objects.create(edition=draft_edition, key="future", name="Future", published=True)
    secret = Venue.objects.create(key="secret-venue", name="Secret Venue")
    Screen.objects.create(venue=secret, key="secret-1", name="Secret 1")
    make_screening(local(2023, 11, 12, 19, 15), key="a")
    make_screening(local(2023, 11, 12, 19, 15), key="draft", published=False, screen=Screen.objects.get(key="secret-1"))


def every_language(path):
    return [f"{SERVER}/{code}/{path}" for code in LANGUAGES]


def part(name, page=None):
    return f"{SERVER}/sitemap-{name}.xml" + (f"?p={page}" if page else "")


SITE_PAGES = [
    *every_language(""),
    *every_language("editions/"),
    *every_language("idfa-2023/programme/"),
    *every_language("idfa-2023/awards/"),
    *every_language("idfa-2023/changes/"),
    *every_language("idfa-2023/sections/best-of-fests/"),
    *every_language("films/we-will-not-fade-away/"),
    *every_language("people/mariia-nesterenko/"),
    *every_language("venues/example-cinema/"),
]


def locations(root):
    return [url.find("s:loc", NS).text for url in root.findall("s:url", NS)]


def lastmods(client):
    """``{part address: its <lastmod> in the index}`` (an aware datetime, or None)."""
    root = get_xml(client, "/sitemap.xml")
    found = {}
    for sitemap in root.findall("s:sitemap", NS):
        lastmod = sitemap.find("s:lastmod", NS)
        found[sitemap.find("s:loc", NS).text] = (
            datetime.datetime.fromisoformat(lastmod.text) if lastmod is not None else None
        )
    return found


# The index and its parts ----------------------------------------------------------------------------------


def test_sitemap_is_an_index_of_the_non_empty_parts(client, site):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert index_locations(client) == [
        part("static"),
        part("idfa-2023-programme"),
        part("idfa-2023-films"),
        part("people"),
        part("venues"),
    ]


def test_parts_list_every_public_page_in_every_language_once(client, site):
    pages = sitemap_pages(client)
    assert locations(pages[part("static")]) == [*every_language(""), *every_language("editions/")]
    assert locations(pages[part("idfa-2023-programme")]) == [
        *every_language("idfa-2023/programme/"),
        *every_language("idfa-2023/awards/"),
        *every_language("idfa-2023/changes/"),
        *every_language("idfa-2023/sections/best-of-fests/"),
    ]
    assert locations(pages[part("idfa-2023-films")]) == every_language("films/we-will-not-fade-away/")
    assert locations(pages[part("people")]) == every_language("people/mariia-nesterenko/")
    assert locations(pages[part("venues")]) == every_language("venues/example-cinema/")
    assert sitemap_locations(client) == SITE_PAGES


def test_sitemap_leaves_out_drafts(client, site):
    listed = "\n".join(sitemap_locations(client))
    for absent in ("idfa-2024", "hidden-section", "draft-film", "hidden-person", "secret-venue"):
        assert absent not in listed
    assert all("idfa-2024" not in location for location in index_locations(client))


def test_sitemap_gives_each_page_its_hreflang_alternates_and_x_default(client, site):
    film_url = next(
        url for url in sitemap_urls(client) if url.find("s:loc", NS).text.endswith("/uk/films/we-will-not-fade-away/")
    )
    alternates = [(link.get("hreflang"), link.get("href")) for link in film_url.findall("xhtml:link", NS)]
    assert alternates == [
        *zip(LANGUAGES, every_language("films/we-will-not-fade-away/"), strict=True),
        ("x-default", "http://testserver/en/films/we-will-not-fade-away/"),
    ]
    assert all(link.get("rel") == "alternate" for link in film_url.findall("xhtml:link", NS))
    # Every entry: its own page among its alternates, and the same five languages and x-default.
    for url in sitemap_urls(client):
        links = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        assert list(links) == [*LANGUAGES, "x-default"]
        assert url.find("s:loc", NS).text in links.values()
        assert links["x-default"] == links["en"]


def test_unknown_and_empty_parts_and_pages_past_the_end_are_not_found(client, site):
    assert client.get("/sitemap-no-such-part.xml").status_code == 404
    assert client.get("/sitemap-films.xml").status_code == 404  # no film outside an edition: empty, not listed
    assert client.get("/sitemap-awards.xml").status_code == 404  # no public result yet
    assert client.get("/sitemap-idfa-2024-programme.xml").status_code == 404  # a draft edition
    assert client.get("/sitemap-people.xml?p=2").status_code == 404
    assert client.get("/sitemap-people.xml?p=x").status_code == 404
    assert client.get("/sitemap-people.xml?p=1").status_code == 200


def test_sitemaps_answer_head_and_refuse_post(client, site):
    for url in ("/sitemap.xml", "/sitemap-static.xml"):
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405


# Films across editions ------------------------------------------------------------------------------------


@pytest.fixture
def two_editions(site, festival, edition, film, section, screen):
    """A newer published edition that shows the example film again (selected there), plus films in each."""
    newer = Edition.objects.create(
        festival=festival,
        key="idfa-2025",
        year=2025,
        name="IDFA 2025",
        start_date=datetime.date(2025, 11, 13),
        end_date=datetime.date(2025, 11, 23),
        timezone="Europe/Amsterdam",
        published=True,
    )
    competition = Section.objects.create(edition=newer, key="competition", name="Competition", published=True)
    draft_section = Section.objects.create(edition=newer, key="draft-section", name="Draft")
    Selection.objects.create(section=competition, film=film)
    only_2023 = Film.objects.create(key="only-2023", title="Only 2023", published=True)
    Selection.objects.create(section=section, film=only_2023)
    # Selected in 2023, and screened in 2025 outside any section: it belongs to 2025.
    screened_2025 = Film.objects.create(key="screened-2025", title="Screened 2025", published=True)
    Selection.objects.create(section=section, film=screened_2025)
    screening = Screening(
        edition=newer,
        key="special",
        starts_at=local(2025, 11, 14, 20),
        ends_at=local(2025, 11, 14, 22),
        screen=screen,
        published=True,
    )
    screening.save()
    screening.screening_films.create(film=screened_2025)
    # Only in a draft section and a draft screening of 2025: still 2023's.
    drafted_2025 = Film.objects.create(key="drafted-2025", title="Drafted 2025", published=True)
    Selection.objects.create(section=section, film=drafted_2025)
    Selection.objects.create(section=draft_section, film=drafted_2025)
    draft_screening = Screening(
        edition=newer,
        key="draft-special",
        starts_at=local(2025, 11, 15, 20),
        ends_at=local(2025, 11, 15, 22),
        screen=screen,
        published=False,
    )
    draft_screening.save()
    draft_screening.screening_films.create(film=drafted_2025)
    # Published, but shown by no published edition.
    Film.objects.create(key="archive-only", title="Archive Only", published=True)
    return newer


def test_the_newest_editions_part_lists_a_film_selected_and_screened_once_and_skips_a_screening_without_films(
    client, site, section, film, screen
):
    Selection.objects.create(section=section, film=film)
    Screening.objects.create(
        edition=section.edition,
        section=section,
        screen=screen,
        key="films-to-come",
        starts_at=local(2023, 11, 13, 10),
        ends_at=local(2023, 11, 13, 12),
        published=True,
    )
    pages = sitemap_pages(client)
    assert locations(pages[part("idfa-2023-films")]) == every_language("films/we-will-not-fade-away/")


def test_a_film_shown_in_several_editions_is_listed_once_with_the_newest(client, two_editions):
    pages = sitemap_pages(client)
    assert list(pages) == [
        part("static"),
        part("idfa-2025-programme"),
        part("idfa-2025-films"),
        part("idfa-2023-programme"),
        part("idfa-2023-films"),
        part("films"),
        part("people"),
        part("venues"),
    ]
    assert locations(pages[part("idfa-2025-films")]) == [
        *every_language("films/screened-2025/"),
        *every_language("films/we-will-not-fade-away/"),
    ]
    assert locations(pages[part("idfa-2023-films")]) == [
        *every_language("films/drafted-2025/"),
        *every_language("films/only-2023/"),
    ]
    assert locations(pages[part("films")]) == every_language("films/archive-only/")
    assert locations(pages[part("idfa-2025-programme")]) == [
        *every_language("idfa-2025/programme/"),
        *every_language("idfa-2025/awards/"),
        *every_language("idfa-2025/changes/"),
        *every_language("idfa-2025/sections/competition/"),
    ]
    listed = sitemap_locations(client)
    assert len(listed) == len(set(listed))
    published_films = Film.objects.published().values_list("key", flat=True)
    assert {location for location in listed if "/films/" in location} == {
        f"{SERVER}/{code}/films/{key}/" for key in published_films for code in LANGUAGES
    }


# Awards and their embargo ---------------------------------------------------------------------------------


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.fixture
def award(site, edition, film, section):
    section.competitive = True
    section.save()
    prize = Award.objects.create(edition=edition, section=section, key="best-film", name="Best Film")
    AwardResult.objects.create(award=prize, film=film)
    edition.results_announced_at = datetime.datetime(2030, 1, 1, 20, 0, tzinfo=datetime.UTC)
    edition.save()
    return prize


def test_award_pages_are_listed_once_their_results_are_public(client, award, at):
    at(datetime.datetime(2030, 1, 1, 19, 59, tzinfo=datetime.UTC))
    assert part("awards") not in index_locations(client)
    assert client.get("/sitemap-awards.xml").status_code == 404
    assert not any("/awards/best-film/" in location for location in sitemap_locations(client))
    at(datetime.datetime(2030, 1, 1, 20, 0, tzinfo=datetime.UTC))
    assert index_locations(client)[-1] == part("awards")
    assert locations(get_xml(client, part("awards"))) == every_language("awards/best-film/")
    assert sitemap_locations(client) == [*SITE_PAGES, *every_language("awards/best-film/")]


# lastmod ------------------------------------------------------------------------------------------------------


def clock(moment):
    """The version a save at ``moment`` gives (``films.models.versioned``)."""
    return int(moment.timestamp() * 1_000_000)


def test_each_part_says_when_it_last_changed(client, site, award, edition, film, at):
    at(datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC))
    assert clock(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)) == FIRST_CLOCK_VERSION
    # As after a bulk import: only the edition's publication was a save.
    for model in (Film, Section, Screening, Award):
        model.objects.update(version=0)
    published = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    Edition.objects.filter(pk=edition.pk).update(version=clock(published) + 678, results_announced_at=None)
    # Results public at the end of the edition's last day (19 November 2023, Amsterdam): before the publication.
    parts = [part("static"), part("idfa-2023-programme"), part("idfa-2023-films"), part("people"), part("venues")]
    assert lastmods(client) == {**dict.fromkeys(parts, published), part("awards"): published}

    film_saved = datetime.datetime(2025, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
    Film.objects.filter(pk=film.pk).update(version=clock(film_saved))
    changed = {part("idfa-2023-films"), part("people")}
    assert lastmods(client) == {
        location: film_saved if location in changed else published for location in [*parts, part("awards")]
    }

    screening_saved = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    Screening.objects.filter(key="draft").update(version=clock(screening_saved))  # a draft's save counts too
    changed = {part("static"), part("idfa-2023-programme"), part("idfa-2023-films"), part("people"), part("venues")}
    changed.add(part("awards"))
    assert lastmods(client) == dict.fromkeys(changed, screening_saved)

    announced = datetime.datetime(2030, 6, 1, 12, 0, tzinfo=datetime.UTC)
    Section.objects.filter(key="best-of-fests").update(results_announced_at=announced)
    assert lastmods(client)[part("awards")] == announced
    assert lastmods(client)[part("idfa-2023-programme")] == announced
    assert lastmods(client)[part("people")] == screening_saved
    assert client.get("/sitemap.xml")["Last-Modified"] == "Sat, 01 Jun 2030 12:00:00 GMT"


# Pages of a part: the limit counts <url> entries ---------------------------------------------------------


def test_parts_are_paged_at_the_limit_of_url_entries(client, two_editions, monkeypatch):
    everything = sitemap_locations(client)
    monkeypatch.setattr(sitemaps.Part, "limit", 3)
    listed = index_locations(client)
    pages = sitemap_pages(client)
    for location, root in pages.items():
        assert 1 <= len(root.findall("s:url", NS)) <= 3, location
    # The index lists every page of every part, and each page number once.
    for name, entries in (("static", 10), ("idfa-2025-programme", 20), ("idfa-2023-films", 10), ("people", 5)):
        count = math.ceil(entries / 3)
        assert [location for location in listed if location.startswith(part(name))] == [
            part(name),
            *(part(name, number) for number in range(2, count + 1)),
        ]
        assert client.get(f"/sitemap-{name}.xml?p={count + 1}").status_code == 404
    # Together the pages hold every public page in every language, once, in the same order as unpaged.
    assert sitemap_locations(client) == everything
    assert len(everything) == len(set(everything)) == 2 * 5 + 2 * 4 * 5 + 5 * 5 + 5 + 5


def test_the_default_limit_keeps_each_page_within_the_protocol(client, site, edition):
    assert sitemaps.Part.limit == sitemaps.URLS_PER_PAGE <= 50_000
    # The longest entry there can be: a section page, with two keys of the longest length.
    longest = Section.objects.create(edition=edition, key="s" * 100, name="Long", published=True)
    Edition.objects.filter(pk=edition.pk).update(key="e" * 100)
    entries = sitemap_urls(client)
    assert any(longest.key in url.find("s:loc", NS).text for url in entries)
    page = client.get(f"/sitemap-{'e' * 100}-programme.xml").content
    per_entry = len(page) / page.count(b"<url>")
    longest_host = 253 - len("testserver")  # a host name of the most characters DNS allows: in 7 URLs an entry
    assert sitemaps.URLS_PER_PAGE * (per_entry + 7 * longest_host) < 50 * 1024 * 1024


# What each entry holds, and how URLs are made ----------------------------------------------------------


@pytest.mark.parametrize("limit", [3, sitemaps.URLS_PER_PAGE])
def test_entries_are_what_djangos_sitemap_makes_of_the_same_locations(two_editions, award, at, monkeypatch, limit):
    """``Part.get_urls`` builds the entries itself (fast); they equal Django's own for ``location()``, with
    ``x-default`` at the default language's page, on every page (pages of 3 split a page's languages)."""
    at(datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC))
    monkeypatch.setattr(sitemaps.Part, "limit", limit)
    server = types.SimpleNamespace(domain="testserver")
    for name, found in sitemaps.Archive().parts().items():
        if not found.items():
            continue
        for page in found.paginator.page_range:
            ours = found.get_urls(page=page, site=server, protocol="http")
            djangos = Sitemap.get_urls(found, page=page, site=server, protocol="http")
            for url in djangos:
                by_language = {alternate["lang_code"]: alternate["location"] for alternate in url["alternates"]}
                url["location"] = escape(url["location"])
                url["alternates"] = [
                    {
                        "location": escape(
                            by_language["en" if alternate["lang_code"] == "x-default" else alternate["lang_code"]]
                        ),
                        "lang_code": alternate["lang_code"],
                    }
                    for alternate in url["alternates"]
                ]
            assert ours == djangos, (name, page)


ROUTE_KEYS = {
    "home": [()],
    "editions": [()],
    "programme": [("idfa-2023",), ("IDFA_2023",)],
    "awards": [("x",)],
    "changes": [("x",)],
    "section": [("idfa-2023", "best-of-fests"), ("a_b", "-"), ("é", "x"), ("x", "a b"), ("x", "")],
    "film": [
        ("we-will-not-fade-away",),
        ("UPPER-case",),
        ("under_score",),
        ("0123",),
        ("-",),
        ("_",),
        ("k" * 100,),
        ("é",),
        ("ключ",),
        ("a b",),
        ("a/b",),
        ("a%20b",),
        ("a&b",),
        ("a?b",),
        ("a#b",),
        ("a.b",),
        ("a~b",),
        ("a\nb",),
        ("",),
    ],
    "person": [("mariia-nesterenko",), ("Ö",)],
    "venue": [("example-cinema",), ("x;y",)],
    "award": [("best-film",), ("x:y",)],
}


@pytest.mark.parametrize("route", list(sitemaps.ROUTES))
def test_locations_are_exactly_what_reverse_gives(route, db):
    assert set(ROUTE_KEYS) == set(sitemaps.ROUTES)
    locate = sitemaps.Locations()
    for keys in ROUTE_KEYS[route]:
        for code in LANGUAGES:
            with translation.override(code):
                try:
                    expected = reverse(route, kwargs=dict(zip(sitemaps.ROUTES[route], keys, strict=True)))
                except NoReverseMatch:
                    expected = NoReverseMatch
            try:
                made = locate(code, route, *keys)
            except NoReverseMatch:
                made = NoReverseMatch
            assert made == expected, (route, keys, code)
            assert made is NoReverseMatch or made.startswith(f"/{code}/")


# Queries -----------------------------------------------------------------------------------------------------


def add_many(edition, section, screen, number):
    """``number`` more films (with a director each, in the section and a screening) and venues."""
    for index in range(number):
        film = Film.objects.create(key=f"film-{index}", title=f"Film {index}", published=True)
        Selection.objects.create(section=section, film=film)
        person = Person.objects.create(key=f"person-{index}", name=f"Person {index}")
        Credit.objects.create(film=film, role="director", person=person)
        venue = Venue.objects.create(key=f"venue-{index}", name=f"Venue {index}")
        other = Screen.objects.create(venue=venue, key=f"screen-{index}", name=f"Screen {index}")
        screening = Screening(
            edition=edition,
            key=f"many-{index}",
            starts_at=local(2023, 11, 13, 10),
            ends_at=local(2023, 11, 13, 12),
            screen=other,
            section=section,
            published=True,
        )
        screening.save()
        screening.screening_films.create(film=film)
        Section.objects.create(edition=edition, key=f"section-{index}", name=f"Section {index}", published=True)
    Film.objects.create(key="archive-only", title="Archive Only", published=True)


# The index: the editions, then the whole archive at once (sections, films, where they are shown, people, venues,
# awards) and two for lastmod, however many editions. A part: the editions and its own items (the static part:
# the editions only; the people: whether there is anyone, then the page's own).
QUERIES = {"/sitemap.xml": 9, "/sitemap-static.xml": 1, "/sitemap-people.xml": 3}
PART_QUERIES = 2


def queries(url):
    """The queries of ``url`` (an index or part address, perhaps with ``?p=``)."""
    return QUERIES.get(url.partition("?")[0], PART_QUERIES)


@pytest.mark.parametrize("many", [0, 30])
def test_query_count_is_constant_in_the_number_of_items(
    client, site, edition, section, screen, monkeypatch, django_assert_num_queries, many
):
    add_many(edition, section, screen, many)
    monkeypatch.setattr(sitemaps.Part, "limit", 50)
    listed = [location.removeprefix(SERVER) for location in index_locations(client)]
    # Pages of 50 entries: static; programme (4 + many items); films (1 + many); unshown films (1); people and
    # venues (1 + many each).
    assert len(listed) == (6 if not many else 1 + 4 + 4 + 1 + 4 + 4)
    for url in ["/sitemap.xml", *listed]:
        with django_assert_num_queries(queries(url)):
            assert client.get(url).status_code == 200, url


def test_index_queries_do_not_grow_with_editions(client, site, festival, django_assert_num_queries):
    for year in (2020, 2021):
        Edition.objects.create(
            festival=festival,
            key=f"idfa-{year}",
            year=year,
            name=f"IDFA {year}",
            start_date=datetime.date(year, 11, 10),
            end_date=datetime.date(year, 11, 20),
            timezone="Europe/Amsterdam",
            published=True,
        )
    with django_assert_num_queries(QUERIES["/sitemap.xml"]):
        client.get("/sitemap.xml")
    assert len(index_locations(client)) == 5 + 2


def test_the_index_reads_each_part_as_the_part_itself_does(two_editions, award, at):
    """The index reads the whole archive in a few queries; each part reads its own items. Both agree (the index
    needs no order: it counts them)."""
    at(datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC))
    whole = sitemaps.Archive(whole=True).parts()
    alone = sitemaps.Archive().parts()
    assert list(whole) == list(alone)
    for name in whole:
        assert sorted(whole[name].items()) == sorted(alone[name].items()), name
    assert sum(len(found.items()) for found in whole.values()) == 2 + 2 * 4 + 5 + 1 + 1 + 1


def add_editions(festival, screen, film, number):
    """``number`` more published editions, one a year before 2023, each with a section, a film of its own (selected,
    and screened with the example film) and the example film selected again: a film shown in every edition."""
    for year in range(2022, 2022 - number, -1):
        older = Edition.objects.create(
            festival=festival,
            key=f"idfa-{year}",
            year=year,
            name=f"IDFA {year}",
            start_date=datetime.date(year, 11, 10),
            end_date=datetime.date(year, 11, 20),
            timezone="Europe/Amsterdam",
            published=True,
        )
        section = Section.objects.create(edition=older, key="competition", name="Competition", published=True)
        own = Film.objects.create(key=f"film-of-{year}", title=f"Film of {year}", published=True)
        Selection.objects.create(section=section, film=own)
        Selection.objects.create(section=section, film=film)
        screening = Screening(
            edition=older,
            key="opening",
            starts_at=local(year, 11, 10, 20),
            ends_at=local(year, 11, 10, 22),
            screen=screen,
            section=section,
            published=True,
        )
        screening.save()
        screening.screening_films.create(film=own)
        screening.screening_films.create(film=film, order=1)


@pytest.mark.parametrize("editions", [0, 6])
def test_query_count_is_constant_in_the_number_of_editions(
    client, site, festival, screen, film, django_assert_num_queries, editions
):
    add_editions(festival, screen, film, editions)
    Film.objects.create(key="archive-only", title="Archive Only", published=True)
    listed = [location.removeprefix(SERVER) for location in index_locations(client)]
    # Each edition lists its programme, and its films but for the example film (the newest edition's).
    assert len(listed) == 1 + 2 * (1 + editions) + 3
    assert "/sitemap-films.xml" in listed
    assert [location for location in listed if location.endswith("-films.xml")][:2] == [
        "/sitemap-idfa-2023-films.xml",
        *(["/sitemap-idfa-2022-films.xml"] if editions else ["/sitemap-films.xml"]),
    ]
    for url in ["/sitemap.xml", *listed]:
        with django_assert_num_queries(queries(url)):
            assert client.get(url).status_code == 200, url


def test_the_index_counts_each_part_as_the_part_itself_lists_it(two_editions, award, at):
    """The index needs of a part how many items it has (its pages): for the people, a count of its own."""
    at(datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC))
    whole = sitemaps.Archive(whole=True).parts()
    alone = sitemaps.Archive().parts()
    counts = {name: found.count() for name, found in whole.items()}
    assert counts == {name: len(found.items()) for name, found in alone.items()}
    assert counts["people"] == Person.objects.filter(credits__film__published=True).distinct().count() == 1


@pytest.mark.parametrize("limit", [3, 7, sitemaps.URLS_PER_PAGE])
def test_pages_pair_each_item_with_each_language_as_django_does(two_editions, monkeypatch, limit):
    """Django's sitemap pairs every item with every language before it paginates; the parts make those pairs one
    page at a time (``Entries``), in the same order and the same pages."""
    monkeypatch.setattr(sitemaps.Part, "limit", limit)
    for name, found in sitemaps.Archive().parts().items():
        pairs = [(item, code) for item in found.items() for code in found.get_languages_for_item(item)]
        entries = found.paginator.object_list
        assert len(entries) == len(pairs), name
        assert list(entries) == pairs == [entries[index] for index in range(-len(pairs), 0)], name
        with pytest.raises(IndexError):
            entries[len(pairs)]
        pages = [found.paginator.page(number).object_list for number in found.paginator.page_range]
        # (An empty part has one empty page, as Django's paginator gives it.)
        assert pages == ([pairs[start : start + limit] for start in range(0, len(pairs), limit)] or [[]]), name


# How templates/films/sitemap.xml wrote each entry before its alternates were written once for a page's entries.
ENTRY_BY_ENTRY = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
{% for url in urlset %}  <url>
    <loc>{{ url.location }}</loc>{% for alternate in url.alternates %}
    <xhtml:link rel="alternate" hreflang="{{ alternate.lang_code }}" href="{{ alternate.location }}"/>{% endfor %}
  </url>
{% endfor %}</urlset>
"""


@pytest.mark.parametrize("limit", [7, sitemaps.URLS_PER_PAGE])
def test_pages_are_byte_for_byte_what_writing_each_entry_makes(client, two_editions, award, at, monkeypatch, limit):
    """A page's alternates are written once for its entries (``Alternates.xml``, from
    templates/films/sitemap_alternates.xml): the page is the same, byte for byte, on pages that split a page's
    languages too."""
    at(datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC))
    monkeypatch.setattr(sitemaps.Part, "limit", limit)
    server = types.SimpleNamespace(domain="testserver")
    entry_by_entry = engines["django"].from_string(ENTRY_BY_ENTRY)
    written = 0
    for name, found in sitemaps.Archive().parts().items():
        if not found.items():
            continue
        for page in found.paginator.page_range:
            urlset = found.get_urls(page=page, site=server, protocol="http")
            response = client.get(f"/sitemap-{name}.xml?p={page}")
            assert response.content.decode() == entry_by_entry.render({"urlset": urlset}), (name, page)
            written += len(urlset)
    # Home and editions; two programmes of four pages; five films; a person, a venue, an award: in five languages.
    assert written == len(sitemap_locations(client)) == 2 * 5 + 2 * 4 * 5 + 5 * 5 + 5 + 5 + 5


@pytest.mark.parametrize("limit", [3, 7, 50])
def test_the_people_pages_read_only_their_own_people_and_list_everyone_once_in_order(
    client, site, edition, section, screen, monkeypatch, limit
):
    """A people page reads its own people in SQL (``_people_page``): together its pages are every credited person
    in key order, each in every language, however the limit splits an item's languages across pages."""
    add_many(edition, section, screen, 12)
    monkeypatch.setattr(sitemaps.Part, "limit", limit)
    keys = sorted(["mariia-nesterenko", *(f"person-{index}" for index in range(12))])
    expected = [location for key in keys for location in every_language(f"people/{key}/")]
    pages = math.ceil(len(expected) / limit)
    listed = [location for location in index_locations(client) if location.startswith(part("people"))]
    assert listed == [part("people"), *(part("people", number) for number in range(2, pages + 1))]
    found = []
    for number in range(1, pages + 1):
        root = get_xml(client, f"/sitemap-people.xml?p={number}")
        found += locations(root)
    assert found == expected
    for beyond in (pages + 1, pages + 7, 0, -1, "x", "1.5"):
        assert client.get(f"/sitemap-people.xml?p={beyond}").status_code == 404, beyond
