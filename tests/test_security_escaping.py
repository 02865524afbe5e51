"""Script and quote-breaking payloads in every translated field come out inert on every public output."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import icalendar
import pytest

from films.models import Award, AwardResult, FilmImage, Person, Screening, Section, Selection, Tag, Venue

from .conftest import tiny_image
from .sitemaps import index_locations

PAYLOAD = """<script>alert(1)</script>"'><img src=x onerror=alert(1)></script>"""
ESCAPED_START = "&lt;script&gt;alert(1)&lt;/script&gt;"
LANGUAGES = ("en", "uk")


def hostile(label):
    return f"{label} {PAYLOAD}"


def set_everywhere(instance, field, label):
    for language in LANGUAGES:
        setattr(instance, f"{field}_{language}", hostile(f"{label}-{language}"))


@pytest.fixture
def hostile_festival(catalogue_film, edition, section, venue):
    film = catalogue_film
    for field in ("title", "tagline", "synopsis"):
        set_everywhere(film, field, f"film-{field}")
    film.save()
    set_everywhere(edition, "name", "edition-name")
    edition.results_announced_at = datetime.datetime(2023, 11, 1, tzinfo=datetime.UTC)
    edition.save()
    for field in ("name", "description", "jury_statement"):
        set_everywhere(section, field, f"section-{field}")
    section.competitive = True
    section.save()
    set_everywhere(venue, "accessibility", "venue-accessibility")
    venue.save()
    person = Person.objects.get(key="alisa-kovalenko")
    set_everywhere(person, "bio", "person-bio")
    person.save()
    screening = Screening.objects.get(key="wwnfa-1")
    set_everywhere(screening, "note", "screening-note")
    screening.save()
    tag = Tag.objects.get(key="war")
    set_everywhere(tag, "name", "tag-name")
    tag.save()
    image = FilmImage(film=film, kind="still", image=tiny_image())
    set_everywhere(image, "caption", "image-caption")
    image.save()
    award = Award(edition=edition, section=section, key="best")
    set_everywhere(award, "name", "award-name")
    award.save()
    result = AwardResult(award=award, film=film, person=person)
    set_everywhere(result, "citation", "award-citation")
    result.save()
    assert Selection.objects.filter(section=section, film=film).exists()
    return film


HTML_PAGES = {
    "home": "/{lang}/",
    "editions": "/{lang}/editions/",
    "programme": "/{lang}/idfa-2023/programme/",
    "programme-day": "/{lang}/idfa-2023/programme/?day=2023-11-12",
    "embed-programme-day": "/{lang}/idfa-2023/embed/programme/?day=2023-11-12",
    "section": "/{lang}/idfa-2023/sections/best-of-fests/",
    "film": "/{lang}/films/we-will-not-fade-away/",
    "person": "/{lang}/people/alisa-kovalenko/",
    "venue": "/{lang}/venues/example-cinema/",
    "awards": "/{lang}/idfa-2023/awards/",
    "search": "/{lang}/search/?q=film-title",
    "search-payload": "/{lang}/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27%3E%3Cimg+src%3Dx",
    "personal-programme": "/{lang}/my-programme/?edition=idfa-2023&s=wwnfa-1",
    "personal-programme-editions": "/{lang}/my-programme/",
}

# What each page shows of the hostile fields (by label); each must appear, escaped.
SHOWN = {
    "film": ["film-title", "film-synopsis", "tag-name", "image-caption", "award-name"],
    "person": ["person-bio"],
    "venue": ["venue-accessibility"],
    "awards": ["award-name", "award-citation"],
    "section": ["section-name", "section-description"],
    "programme-day": ["film-title", "section-name"],
    "embed-programme-day": ["film-title", "section-name"],
    "personal-programme": ["film-title"],
}


def strings(data):
    """Every string anywhere in parsed JSON."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def assert_inert_html(text, url):
    assert "<script>alert(1)" not in text, url
    assert "<img src=x" not in text, url
    assert """"'><img""" not in text, url
    # Every script element that opens is closed by its own end tag: no payload closed one early.
    opened = len(re.findall(r"<script\b", text))
    assert opened == text.count("</script>"), url


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", list(HTML_PAGES))
def test_html_pages_escape_every_payload(client, hostile_festival, page, language):
    url = HTML_PAGES[page].format(lang=language)
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    assert_inert_html(text, url)
    for label in SHOWN.get(page, []):
        assert f"{label}-{language} {ESCAPED_START}" in text, (url, label)


def test_search_echoes_the_query_escaped(client, hostile_festival):
    text = client.get("/en/search/", {"q": PAYLOAD}).content.decode()
    assert_inert_html(text, "search")
    assert ESCAPED_START in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_film_json_ld_parses_and_holds_the_literal_payload(client, hostile_festival, language):
    text = client.get(f"/{language}/films/we-will-not-fade-away/").content.decode()
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', text, re.S)
    assert blocks
    data = [json.loads(block) for block in blocks]
    assert f"film-title-{language} {PAYLOAD}" in set(strings(data))
    for block in blocks:
        assert "<" not in block
        assert ">" not in block


def test_api_json_parses_and_holds_the_literal_payload(client, hostile_festival):
    response = client.get("/api/v1/idfa-2023/programme.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    found = set(strings(response.json()))
    for label in ("film-title-en", "film-title-uk", "edition-name-en", "section-name-uk", "screening-note-en"):
        assert f"{label} {PAYLOAD}" in found, label


def xml_strings(root):
    """Every text and attribute value in a parsed XML document."""
    for element in root.iter():
        if element.text:
            yield element.text
        yield from element.attrib.values()


@pytest.mark.parametrize("language", LANGUAGES)
def test_schedule_xml_parses_and_holds_the_literal_payload(client, hostile_festival, language):
    response = client.get("/api/v1/idfa-2023/schedule.xml", {"lang": language})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<script" not in response.content
    assert b"<img" not in response.content
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    event = root.find("day/room/event")
    assert event.find("title").text == f"film-title-{language} {PAYLOAD}"
    assert event.find("abstract").text == f"film-synopsis-{language} {PAYLOAD}"
    assert event.find("track").text == f"section-name-{language} {PAYLOAD}"
    assert f"screening-note-{language} {PAYLOAD}" in event.find("description").text.splitlines()
    assert root.find("conference/title").text == f"edition-name-{language} {PAYLOAD}"
    assert root.find("conference/track").attrib["name"] == f"section-name-{language} {PAYLOAD}"
    found = "\n".join(xml_strings(root))
    for label in ("award-name", "award-citation", "person-bio", "tag-name", "image-caption", "film-tagline"):
        assert label not in found, label  # not part of the format


@pytest.mark.parametrize("language", LANGUAGES)
def test_schedule_json_parses_and_holds_the_literal_payload(client, hostile_festival, language):
    response = client.get("/api/v1/idfa-2023/schedule.json", {"lang": language})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    found = set(strings(document))
    for label in ("film-title", "film-synopsis", "section-name", "edition-name"):
        assert f"{label}-{language} {PAYLOAD}" in found, label
    assert not any("award-" in text or "person-bio" in text for text in found)


def test_schedule_escapes_cdata_ends_ampersands_and_drops_what_xml_cannot_hold(client, catalogue_film):
    catalogue_film.title = "]]> & <![CDATA[ <b>bold</b> &amp; \"q\" 'a' \x0b\x1f end"
    catalogue_film.synopsis = "Tom & Jerry ]]> <script>alert(1)</script>"
    catalogue_film.save()
    response = client.get("/api/v1/idfa-2023/schedule.xml")
    assert response.status_code == 200
    assert b"]]>" not in response.content
    assert b"<![CDATA[" not in response.content
    assert b"<b>" not in response.content
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    event = root.find("day/room/event")
    # Control characters cannot be written in XML 1.0 at all, not even escaped: they are dropped.
    assert event.find("title").text == "]]> & <![CDATA[ <b>bold</b> &amp; \"q\" 'a'  end"
    assert event.find("abstract").text == "Tom & Jerry ]]> <script>alert(1)</script>"
    document = client.get("/api/v1/idfa-2023/schedule.json").json()
    event = next(iter(document["schedule"]["conference"]["days"][4]["rooms"].values()))[0]
    assert event["title"] == "]]> & <![CDATA[ <b>bold</b> &amp; \"q\" 'a' \x0b\x1f end"


@pytest.mark.parametrize(
    "url",
    [
        "/en/idfa-2023/programme.ics",
        "/en/idfa-2023/screenings/wwnfa-1.ics",
        "/en/idfa-2023/my-programme.ics?s=wwnfa-1",
        "/uk/idfa-2023/programme.ics",
    ],
)
def test_calendars_parse_and_hold_the_literal_payload(client, hostile_festival, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    summary = str(events[0]["SUMMARY"])
    language = url.split("/")[1]
    assert f"film-title-{language} {PAYLOAD}" in summary


@pytest.mark.parametrize("language", LANGUAGES)
def test_printed_programme_prints_the_payload_as_text_and_fetches_nothing(
    client, hostile_festival, language, monkeypatch
):
    """The PDF's HTML escapes every field (an unescaped ``<img src=x>`` would make WeasyPrint ask its URL fetcher
    for it: it is asked for nothing); the PDF's text holds the payload literally."""
    import io

    import pypdf
    from django.utils import translation

    from films.models import Edition
    from films.programme_pdf import programme_html, url_fetcher

    asked = []
    monkeypatch.setattr(url_fetcher(), "fetch", lambda url, headers=None: asked.append(url))
    edition = Edition.objects.select_related("festival").get(key="idfa-2023")
    with translation.override(language):
        html = programme_html(edition, {"day": datetime.date(2023, 11, 12)})
    assert_inert_html(html, language)
    for label in ("film-title", "section-name", "edition-name"):
        assert f"{label}-{language} {ESCAPED_START}" in html, label
    response = client.get(f"/{language}/idfa-2023/programme.pdf?day=2023-11-12")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    # Lines wrap at spaces and after "</": compared without white space.
    letters = "".join(text.split())
    for label in ("film-title", "section-name", "edition-name"):
        assert "".join(f"{label}-{language} {PAYLOAD}".split()) in letters, label
    assert asked == []


def test_sitemap_is_well_formed_xml_without_markup_from_fields(client, hostile_festival):
    for url in ("/sitemap.xml", *(location.removeprefix("http://testserver") for location in index_locations(client))):
        response = client.get(url)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # noqa: S314 - our own output
        assert root.tag.endswith("sitemapindex" if url == "/sitemap.xml" else "urlset")
        assert b"<script" not in response.content
        assert b"<img" not in response.content


def test_admin_change_list_escapes_the_payload(admin_client, hostile_festival):
    text = admin_client.get("/admin/films/film/").content.decode()
    assert "<script>alert(1)" not in text
    assert ESCAPED_START in text


def test_every_translated_field_was_covered(hostile_festival):
    from modeltranslation.translator import translator

    covered = {
        "Edition": {"name"},
        "Section": {"name", "description", "jury_statement"},
        "Venue": {"accessibility"},
        "Tag": {"name"},
        "Film": {"title", "tagline", "synopsis"},
        "FilmImage": {"caption"},
        "Person": {"bio"},
        "Screening": {"note"},
        "Award": {"name"},
        "AwardResult": {"citation"},
        # The festival's name is not shown on public pages by itself (the edition's name is).
        "Festival": {"name"},
    }
    registered = {
        model.__name__: set(translator.get_options_for_model(model).fields)
        for model in translator.get_registered_models()
    }
    assert registered == covered
    assert Venue.objects.get().accessibility_en.startswith("venue-accessibility-en")
    assert Section.objects.get(key="best-of-fests").jury_statement_uk.startswith("section-jury_statement-uk")
