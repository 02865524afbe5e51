"""The read-only JSON API: an edition's published programme."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from films.models import Film, Person, ScreeningGuest, Section, Selection
from tests.conftest import local


@pytest.fixture
def published(make_screening, section, film, venue):
    venue.address = "Example Street 1"
    venue.city = "Amsterdam"
    venue.save()
    film.countries = ["UA"]
    film.spoken_languages = ["uk"]
    film.form = "documentary"
    film.title_uk = "Ми не згаснемо"
    film.save()
    Selection.objects.create(section=section, film=film, premiere="world")
    return make_screening(
        local(2023, 11, 12, 19, 15),
        key="wwnfa-1",
        subtitles=["en", "nl"],
        ticket_url="https://tickets.example/1",
        status="sold-out",
    )


def get(client, url="/api/v1/idfa-2023/programme.json"):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def urls(path):
    return {code: f"http://testserver/{code}/{path}" for code in ("en", "uk", "pl", "de", "nl")}


def test_programme_json_describes_the_published_programme_exactly(client, published):
    assert get(client) == {
        "format": "festival-programme",
        "version": 1,
        "edition": {
            "key": "idfa-2023",
            "name": {"en": "IDFA 2023"},
            "year": 2023,
            "start_date": "2023-11-08",
            "end_date": "2023-11-19",
            "timezone": "Europe/Amsterdam",
            "festival": {"key": "idfa", "name": {"en": "International Documentary Film Festival Amsterdam"}},
            "url": urls("idfa-2023/programme/"),
        },
        "sections": [
            {
                "key": "best-of-fests",
                "name": {"en": "Best of Fests"},
                "competitive": False,
                "films": ["we-will-not-fade-away"],
                "url": urls("idfa-2023/sections/best-of-fests/"),
            }
        ],
        "venues": [
            {
                "key": "example-cinema",
                "name": "Example Cinema",
                "address": "Example Street 1",
                "city": "Amsterdam",
                "screens": [{"key": "example-cinema-1", "name": "Example Cinema 1", "capacity": 220}],
            }
        ],
        "films": [
            {
                "key": "we-will-not-fade-away",
                "title": {"en": "We Will Not Fade Away", "uk": "Ми не згаснемо"},
                "original_title": "Ми не згаснемо",
                "original_title_latin": "My ne zgasnemo",
                "year": 2023,
                "runtime_minutes": 100,
                "countries": ["UA"],
                "spoken_languages": ["uk"],
                "form": "documentary",
                "minimum_age": None,
                "url": urls("films/we-will-not-fade-away/"),
            }
        ],
        "screenings": [
            {
                "key": "wwnfa-1",
                "starts_at": "2023-11-12T19:15:00+01:00",
                "ends_at": "2023-11-12T20:55:00+01:00",
                "venue": "example-cinema",
                "screen": "example-cinema-1",
                "section": "best-of-fests",
                "films": ["we-will-not-fade-away"],
                "subtitles": ["en", "nl"],
                "audience": "public",
                "status": "sold-out",
                "ticket_url": "https://tickets.example/1",
                "note": {},
                "available_from": None,
                "available_until": None,
                "online_countries": [],
                "access": [],
                "step_free": False,
                "wheelchair_spaces": 0,
                "guests": [],
            }
        ],
    }


def test_programme_json_leaves_out_drafts(client, published, make_screening, edition, section):
    draft_film = Film.objects.create(key="draft-film", title="Draft", published=True)
    hidden = Section.objects.create(edition=edition, key="hidden", name="Hidden")
    Selection.objects.create(section=hidden, film=draft_film)
    make_screening(local(2023, 11, 13, 10), key="draft-screening", published=False)
    make_screening(local(2023, 11, 13, 14), key="draft-section", section=hidden, films=[draft_film])
    unpublished = Film.objects.create(key="unpublished", title="Unpublished")
    Selection.objects.create(section=section, film=unpublished)
    make_screening(local(2023, 11, 13, 18), key="draft-film", films=[unpublished])
    document = get(client)
    assert [item["key"] for item in document["screenings"]] == ["wwnfa-1"]
    assert [item["key"] for item in document["sections"]] == ["best-of-fests"]
    assert [item["key"] for item in document["films"]] == ["we-will-not-fade-away"]
    assert document["sections"][0]["films"] == ["we-will-not-fade-away"]


def test_programme_json_of_a_draft_edition_is_a_404_naming_it(client, published, edition):
    edition.published = False
    edition.save()
    response = client.get("/api/v1/idfa-2023/programme.json")
    assert response.status_code == 404
    assert json.loads(response.content) == {"error": "There is no published edition “idfa-2023”."}


def test_programme_json_query_count_is_constant(client, published, make_screening, film):
    with CaptureQueriesContext(connection) as one:
        get(client)
    for hour in range(10, 16):
        other = Film.objects.create(key=f"film-{hour}", title=f"Film {hour}", published=True)
        screening = make_screening(local(2023, 11, 14, hour), key=f"s-{hour}", minutes=40, films=[other, film])
        guest = Person.objects.create(key=f"guest-{hour}", name=f"Guest {hour}")
        ScreeningGuest.objects.create(screening=screening, person=guest, intro=True)
    with CaptureQueriesContext(connection) as many:
        document = get(client)
    assert len(document["screenings"]) == 7
    assert len(one) == len(many) == 7  # edition, sections, selections, screenings, their films, the films, guests


def test_programme_json_keeps_markup_in_titles_as_plain_strings(client, published, film):
    film.title_en = "</script><script>alert(1)</script>"
    film.save()
    response = client.get("/api/v1/idfa-2023/programme.json")
    assert json.loads(response.content)["films"][0]["title"]["en"] == "</script><script>alert(1)</script>"
    assert response["Content-Type"] == "application/json"
