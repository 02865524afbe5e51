"""A draft film in a published shorts programme: it shows nowhere, on any channel; its published neighbours do.

The rule (``Screening.objects.published()``, and ``screening_rows`` and ``film_screenings`` that apply it in
Python): a screening any of whose films is unpublished is not public, so the shorts programme that holds the
draft is left out whole, everywhere, until the film is published. The published films of that programme still
have their own pages, their other screenings, their place in the section, in search and in the sitemap.
"""

import datetime
import json
import re

import pytest
from django.utils import timezone
from icalendar import Calendar

from films.models import Credit, Film, Person, Selection

from .conftest import local
from .sitemaps import sitemap_text

DRAFT_MARKS = ("Gamma", "short-gamma", "Draft Director", "draft-director")
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def shorts(db, edition, section, make_screening, monkeypatch):
    """Short Alpha, (draft) Short Gamma and Short Beta in one screening; Alpha and Beta also screen alone."""
    alpha = Film.objects.create(key="short-alpha", title="Short Alpha", year=2023, published=True)
    beta = Film.objects.create(key="short-beta", title="Short Beta", year=2023, published=True)
    gamma = Film.objects.create(key="short-gamma", title="Short Gamma", year=2023, published=False)
    for order, film in enumerate((alpha, gamma, beta)):
        Selection.objects.create(section=section, film=film, order=order)
    Credit.objects.create(
        film=gamma, role="director", person=Person.objects.create(key="draft-director", name="Draft Director")
    )
    Credit.objects.create(
        film=alpha, role="director", person=Person.objects.create(key="alpha-director", name="Alpha Director")
    )
    make_screening(local(2023, 11, 12, 14, 0), key="shorts", films=[alpha, gamma, beta], minutes=90)
    make_screening(local(2023, 11, 12, 19, 15), key="alpha-solo", films=[alpha], minutes=20)
    make_screening(local(2023, 11, 13, 10, 0), key="beta-solo", films=[beta], minutes=20)
    # The morning of the shorts programme's day: everything is upcoming.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 9, 0, tzinfo=datetime.UTC))
    return alpha, beta, gamma


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_no_draft(text, where):
    for mark in DRAFT_MARKS:
        assert mark not in text, (where, mark)


def listed(html):
    return re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)"', html)


def films_listed(html):
    return re.findall(r'<a href="/en/films/([^/"]+)/">', html)


# The programme and the lists of screenings ---------------------------------------------------


@pytest.mark.parametrize(
    "query", ["day=2023-11-12", "day=2023-11-12&section=best-of-fests", "day=2023-11-12&venue=example-cinema"]
)
def test_programme_leaves_out_the_screening_with_the_draft(client, shorts, query):
    """Unfiltered, the day's rows come from precompiled queries; filtered, from a queryset: both paths."""
    html = html_of(client, f"/en/idfa-2023/programme/?{query}")
    assert_no_draft(html, query)
    assert listed(html) == ["alpha-solo"]
    assert (
        '<ul class="screening__films"><li><span class="screening__image picture--none"></span>'
        '<a href="/en/films/short-alpha/">Short Alpha</a></li></ul>'
    ) in html
    assert "Short Beta" not in html


def test_programme_grid_leaves_out_the_screening_with_the_draft(client, shorts):
    html = html_of(client, "/en/idfa-2023/programme/?day=2023-11-12&view=grid")
    assert_no_draft(html, "grid")
    assert re.findall(r'<td rowspan="\d+" class="grid__screening[^"]*"><time datetime="([^"]+)">', html) == [
        "2023-11-12T19:15:00+01:00"
    ]
    assert "Short Beta" not in html


def test_home_page_leaves_out_the_screening_with_the_draft(client, shorts):
    html = html_of(client, "/en/")
    assert_no_draft(html, "home")
    assert listed(html) == ["alpha-solo"]


def test_personal_programme_leaves_out_the_screening_with_the_draft(client, shorts):
    html = html_of(client, "/en/my-programme/?edition=idfa-2023&s=shorts,alpha-solo,beta-solo")
    assert_no_draft(html, "personal programme")
    assert listed(html) == ["alpha-solo", "beta-solo"]
    assert '<p class="notice">No longer in the programme: shorts</p>' in html
    assert '<a href="/en/idfa-2023/my-programme.ics?s=alpha-solo,beta-solo" data-personal-ics>' in html


def test_venue_page_leaves_out_the_screening_with_the_draft(client, shorts):
    html = html_of(client, "/en/venues/example-cinema/")
    assert_no_draft(html, "venue")
    assert re.findall(r'<li class="screening screening--scheduled"><time datetime="([^"]+)">', html) == [
        "2023-11-12T19:15:00+01:00",
        "2023-11-13T10:00:00+01:00",
    ]


# Film pages --------------------------------------------------------------------------------------


def test_the_draft_films_own_page_is_not_found(client, shorts):
    assert client.get("/en/films/short-gamma/").status_code == 404


@pytest.mark.parametrize(("film", "alone"), [("short-alpha", "alpha-solo"), ("short-beta", "beta-solo")])
def test_a_published_neighbours_page_lists_its_other_screening_only(client, shorts, film, alone):
    html = html_of(client, f"/en/films/{film}/")
    assert_no_draft(html, film)
    assert re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)">', html) == [alone]
    [block] = JSONLD.findall(html)
    graph = json.loads(block)["@graph"]
    events = [item for item in graph if item["@type"] == "ScreeningEvent"]
    assert len(events) == 1
    assert (
        events[0]["startDate"]
        == {"alpha-solo": "2023-11-12T19:15:00+01:00", "beta-solo": "2023-11-13T10:00:00+01:00"}[alone]
    )
    # Suggestions: the other published film of the section, never the draft.
    suggestions = html.split('id="suggestions-heading"')[1]
    other = "short-beta" if film == "short-alpha" else "short-alpha"
    assert films_listed(suggestions) == [other]


def test_section_page_lists_the_published_films_only(client, shorts):
    html = html_of(client, "/en/idfa-2023/sections/best-of-fests/")
    assert_no_draft(html, "section")
    assert films_listed(html.split('<ol class="section-films">')[1]) == ["short-alpha", "short-beta"]


def test_people_pages_do_not_show_the_draft(client, shorts):
    html = html_of(client, "/en/people/draft-director/")
    assert "Short Gamma" not in html
    assert "Films at the festival" not in html
    alpha = html_of(client, "/en/people/alpha-director/")
    assert '<li><a href="/en/films/short-alpha/">Short Alpha</a>: Director</li>' in alpha


# Machine-readable channels ----------------------------------------------------------------------


def test_api_leaves_out_the_draft_and_its_screening(client, shorts):
    response = client.get("/api/v1/idfa-2023/programme.json")
    assert response.status_code == 200
    assert_no_draft(response.content.decode(), "api")
    data = response.json()
    assert [item["key"] for item in data["screenings"]] == ["alpha-solo", "beta-solo"]
    assert [item["films"] for item in data["screenings"]] == [["short-alpha"], ["short-beta"]]
    assert [item["key"] for item in data["films"]] == ["short-alpha", "short-beta"]
    assert [item["films"] for item in data["sections"]] == [["short-alpha", "short-beta"]]


def calendar_events(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert_no_draft(response.content.decode(), url)
    return [
        (str(event["UID"]).split("@")[0], str(event["SUMMARY"]))
        for event in Calendar.from_ical(response.content).walk("VEVENT")
    ]


def test_calendars_leave_out_the_screening_with_the_draft(client, shorts):
    both = [("idfa-2023-alpha-solo", "Short Alpha"), ("idfa-2023-beta-solo", "Short Beta")]
    assert calendar_events(client, "/en/idfa-2023/programme.ics") == both
    assert calendar_events(client, "/en/idfa-2023/programme.ics?day=2023-11-12") == both[:1]
    assert calendar_events(client, "/en/idfa-2023/programme.ics?section=best-of-fests") == both
    assert calendar_events(client, "/en/idfa-2023/my-programme.ics?s=shorts,alpha-solo,beta-solo") == both
    assert client.get("/en/idfa-2023/screenings/shorts.ics").status_code == 404
    assert calendar_events(client, "/en/idfa-2023/screenings/alpha-solo.ics") == both[:1]


def test_sitemap_lists_the_published_neighbours_only(client, shorts):
    text = sitemap_text(client)
    assert_no_draft(text, "sitemap")
    assert "<loc>http://testserver/en/films/short-alpha/</loc>" in text
    assert "<loc>http://testserver/en/films/short-beta/</loc>" in text
    assert "<loc>http://testserver/en/people/alpha-director/</loc>" in text


def test_search_finds_the_published_neighbours_only(client, shorts):
    html = html_of(client, "/en/search/?q=short")
    assert_no_draft(html, "search")
    assert films_listed(html.split('id="films-heading"')[1]) == ["short-alpha", "short-beta"]
    nothing = html_of(client, "/en/search/?q=gamma")
    assert "No films found." in nothing.split('id="people-heading"')[0]


# Once published, the film and its programme appear -------------------------------------------------


def test_publishing_the_draft_brings_the_shorts_programme_back_everywhere(client, shorts):
    _alpha, _beta, gamma = shorts
    gamma.published = True
    gamma.save()
    html = html_of(client, "/en/idfa-2023/programme/?day=2023-11-12")
    assert listed(html) == ["shorts", "alpha-solo"]
    assert (
        '<ul class="screening__films"><li><span class="screening__image picture--none"></span>'
        '<a href="/en/films/short-alpha/">Short Alpha</a></li>'
        '<li><span class="screening__image picture--none"></span><a href="/en/films/short-gamma/">Short Gamma</a></li>'
        '<li><span class="screening__image picture--none"></span><a href="/en/films/short-beta/">Short Beta</a></li>'
        "</ul>"
    ) in html
    assert [item["key"] for item in client.get("/api/v1/idfa-2023/programme.json").json()["screenings"]] == [
        "shorts",
        "alpha-solo",
        "beta-solo",
    ]
    calendar = Calendar.from_ical(client.get("/en/idfa-2023/programme.ics?day=2023-11-12").content)
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == [
        "Short Alpha / Short Gamma / Short Beta",
        "Short Alpha",
    ]
