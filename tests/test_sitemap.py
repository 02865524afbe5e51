"""/sitemap.xml: every public page in every language, with hreflang alternates; drafts never listed."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from films.models import Credit, Edition, Film, Person, Screen, Section, Venue
from tests.conftest import local

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
LANGUAGES = ("en", "uk", "pl", "de", "nl")


@pytest.fixture
def site(make_screening, festival, edition, film):
    director = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    Credit.objects.create(film=film, role="director", person=director)
    draft_film = Film.objects.create(key="draft-film", title="Draft Film")
    hidden_person = Person.objects.create(key="hidden-person", name="Hidden Person")
    Credit.objects.create(film=draft_film, role="director", person=hidden_person)
    Section.objects.create(edition=edition, key="hidden-section", name="Hidden")
    draft_edition = Edition.objects.create(
        festival=festival,
        key="idfa-2024",
        year=2024,
        name="IDFA 2024",
        start_date=datetime.date(2024, 11, 14),
        end_date=datetime.date(2024, 11, 24),
        timezone="Europe/Amsterdam",
    )
    Section.objects.create(edition=draft_edition, key="future", name="Future", published=True)
    secret = Venue.objects.create(key="secret-venue", name="Secret Venue")
    Screen.objects.create(venue=secret, key="secret-1", name="Secret 1")
    make_screening(local(2023, 11, 12, 19, 15), key="a")
    make_screening(local(2023, 11, 12, 19, 15), key="draft", published=False, screen=Screen.objects.get(key="secret-1"))


def parse(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def locations(root):
    return [url.find("s:loc", NS).text for url in root.findall("s:url", NS)]


def every_language(path):
    return [f"http://testserver/{code}/{path}" for code in LANGUAGES]


def test_sitemap_lists_every_public_page_in_every_language(client, site):
    assert locations(parse(client)) == [
        *every_language(""),
        *every_language("editions/"),
        *every_language("idfa-2023/programme/"),
        *every_language("idfa-2023/awards/"),
        *every_language("idfa-2023/sections/best-of-fests/"),
        *every_language("films/we-will-not-fade-away/"),
        *every_language("people/mariia-nesterenko/"),
        *every_language("venues/example-cinema/"),
    ]


def test_sitemap_leaves_out_drafts(client, site):
    listed = "\n".join(locations(parse(client)))
    for absent in ("idfa-2024", "hidden-section", "draft-film", "hidden-person", "secret-venue"):
        assert absent not in listed


def test_sitemap_gives_each_page_its_hreflang_alternates_and_x_default(client, site):
    root = parse(client)
    film_url = next(
        url
        for url in root.findall("s:url", NS)
        if url.find("s:loc", NS).text.endswith("/uk/films/we-will-not-fade-away/")
    )
    alternates = [(link.get("hreflang"), link.get("href")) for link in film_url.findall("xhtml:link", NS)]
    assert alternates == [
        *zip(LANGUAGES, every_language("films/we-will-not-fade-away/"), strict=True),
        ("x-default", "http://testserver/en/films/we-will-not-fade-away/"),
    ]
    assert all(link.get("rel") == "alternate" for link in film_url.findall("xhtml:link", NS))


def test_sitemap_query_count_does_not_grow_with_films(client, site, django_assert_num_queries):
    with django_assert_num_queries(7):
        parse(client)
    for number in range(5):
        Film.objects.create(key=f"film-{number}", title=f"Film {number}", published=True)
    with django_assert_num_queries(7):
        root = parse(client)
    assert len(locations(root)) == 5 * (8 + 5)
