"""schema.org JSON-LD on film pages: the film as a Movie, its published screenings as ScreeningEvents."""

import datetime
import json
import re

import pytest
from django.utils import translation

from films.models import Credit, Film, FilmImage, FilmTitle, Person, Screening, Section
from films.structured_data import film_jsonld, iso_duration, ld_json, screening_event
from tests.conftest import AMSTERDAM, local, tiny_image

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
MOVIE_ID = "http://testserver/en/films/we-will-not-fade-away/#film"


@pytest.fixture
def described(film, make_screening, venue):
    venue.address = "Example Street 1"
    venue.city = "Amsterdam"
    venue.save()
    film.countries = ["UA", "PL"]
    film.spoken_languages = ["uk"]
    film.form = "documentary"
    film.minimum_age = 12
    film.save()
    FilmTitle.objects.create(film=film, title="Мы не погаснем", language="ru")
    director = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    Credit.objects.create(film=film, role="director", person=director)
    make_screening(local(2023, 11, 12, 19, 15), key="a", ticket_url="https://tickets.example/a", subtitles=["en"])
    make_screening(local(2023, 11, 13, 10), key="b", status="cancelled", ticket_url="https://tickets.example/b")
    make_screening(local(2023, 11, 14, 10), key="c", status="sold-out", ticket_url="https://tickets.example/c")
    make_screening(local(2023, 11, 15, 10), key="draft", published=False)
    return film


def page_jsonld(client, path="/en/films/we-will-not-fade-away/"):
    response = client.get(path)
    assert response.status_code == 200
    [block] = JSONLD.findall(response.content.decode())
    return json.loads(block)


def test_iso_duration_is_minutes():
    assert iso_duration(100) == "PT100M"


def test_film_page_describes_the_film_as_a_movie(client, described):
    movie = page_jsonld(client)["@graph"][0]
    assert movie == {
        "@type": "Movie",
        "@id": MOVIE_ID,
        "name": "We Will Not Fade Away",
        "url": "http://testserver/en/films/we-will-not-fade-away/",
        "alternateName": ["Ми не згаснемо", "My ne zgasnemo", "Мы не погаснем"],
        "dateCreated": "2023",
        "duration": "PT100M",
        "countryOfOrigin": [{"@type": "Country", "name": "Ukraine"}, {"@type": "Country", "name": "Poland"}],
        "inLanguage": ["uk"],
        "director": [
            {
                "@type": "Person",
                "name": "Mariia Nesterenko",
                "url": "http://testserver/en/people/mariia-nesterenko/",
            }
        ],
        "genre": "Documentary",
        "typicalAgeRange": "12-",
    }
    assert page_jsonld(client)["@context"] == "https://schema.org"


def test_film_page_lists_published_screenings_as_events_with_status_and_offers(client, described):
    events = page_jsonld(client)["@graph"][1:]
    assert [event["startDate"] for event in events] == [
        "2023-11-12T19:15:00+01:00",
        "2023-11-13T10:00:00+01:00",
        "2023-11-14T10:00:00+01:00",
    ]
    assert events[0] == {
        "@type": "ScreeningEvent",
        "name": "We Will Not Fade Away",
        "startDate": "2023-11-12T19:15:00+01:00",
        "endDate": "2023-11-12T20:55:00+01:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": "Example Cinema, Example Cinema 1",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "Example Street 1",
                "addressLocality": "Amsterdam",
            },
        },
        "workPresented": {"@id": MOVIE_ID},
        "subtitleLanguage": ["en"],
        "offers": {"@type": "Offer", "url": "https://tickets.example/a", "availability": "https://schema.org/InStock"},
    }
    assert events[1]["eventStatus"] == "https://schema.org/EventCancelled"
    assert "offers" not in events[1]
    assert events[2]["offers"] == {
        "@type": "Offer",
        "availability": "https://schema.org/SoldOut",
        "url": "https://tickets.example/c",
    }


def test_film_page_jsonld_follows_the_page_language(client, described):
    described.title_uk = "Ми не згаснемо"
    described.save()
    movie = page_jsonld(client, "/uk/films/we-will-not-fade-away/")["@graph"][0]
    assert movie["name"] == "Ми не згаснемо"
    assert movie["alternateName"] == ["My ne zgasnemo", "Мы не погаснем"]
    assert movie["countryOfOrigin"][0] == {"@type": "Country", "name": "Україна"}


def test_jsonld_leaves_out_screenings_in_draft_sections_and_with_draft_films(client, described, edition, film):
    hidden = Section.objects.create(edition=edition, key="hidden", name="Hidden")
    Screening.objects.filter(key="a").update(section=hidden)
    assert [event["startDate"][:10] for event in page_jsonld(client)["@graph"][1:]] == ["2023-11-13", "2023-11-14"]


def test_a_title_cannot_close_the_script_element(client, described):
    described.title_en = "</script><script>alert(1)</script>"
    described.save()
    html = client.get("/en/films/we-will-not-fade-away/").content.decode()
    [block] = JSONLD.findall(html)
    assert "<" not in block
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in block
    assert json.loads(block)["@graph"][0]["name"] == "</script><script>alert(1)</script>"


def test_ld_json_escapes_the_characters_that_matter_inside_script():
    assert ld_json({"name": "a</script>&b"}) == '{"name": "a\\u003C/script\\u003E\\u0026b"}'
    # Other characters as they are: the page is UTF-8.
    assert ld_json({"name": "Дім"}) == '{"name": "Дім"}'


def test_poster_is_the_image(client, described):
    FilmImage.objects.create(film=described, kind="poster", image=tiny_image(name="poster.png"))
    # Its display size: the widest rendition, in WebP.
    image = page_jsonld(client)["@graph"][0]["image"]
    assert re.fullmatch(r"http://testserver/media/films/renditions/poster_?\w*-8\.webp", image)


def test_unpublished_film_has_no_page_and_no_jsonld(client, described):
    Film.objects.update(published=False)
    assert client.get("/en/films/we-will-not-fade-away/").status_code == 404


def test_a_shorts_programme_is_named_by_its_films_in_running_order(client, described):
    """The event of a screening of several films is named by their titles in running order, joined by " / "."""
    other = Film.objects.create(key="second-short", title="Second Short", published=True)
    screening = Screening.objects.get(key="a")
    screening.screening_films.create(film=other, order=0)
    screening.screening_films.filter(film=described).update(order=1)
    assert [event["name"] for event in page_jsonld(client)["@graph"][1:]] == [
        "Second Short / We Will Not Fade Away",
        "We Will Not Fade Away",
        "We Will Not Fade Away",
    ]


# Without a database: every branch of the builders, fast enough to run first against their mutants.

ROW = {
    "summary": "Home",
    "starts": datetime.datetime(2023, 11, 12, 19, 15, tzinfo=AMSTERDAM),
    "ends": datetime.datetime(2023, 11, 12, 21, 0, tzinfo=AMSTERDAM),
    "status": "scheduled",
    "venue": "Tuschinski",
    "screen": "Zaal 1",
    "address": "Reguliersbreestraat 26",
    "city": "Amsterdam",
    "online": False,
    "subtitles": [],
    "ticket_url": "",
}


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        (
            {},
            {
                "@type": "Place",
                "name": "Tuschinski, Zaal 1",
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": "Reguliersbreestraat 26",
                    "addressLocality": "Amsterdam",
                },
            },
        ),
        # A venue that is its own screen is named once; an address without a city, a city without an address.
        (
            {"screen": "Tuschinski", "city": ""},
            {
                "@type": "Place",
                "name": "Tuschinski",
                "address": {"@type": "PostalAddress", "streetAddress": "Reguliersbreestraat 26"},
            },
        ),
        (
            {"address": ""},
            {
                "@type": "Place",
                "name": "Tuschinski, Zaal 1",
                "address": {"@type": "PostalAddress", "addressLocality": "Amsterdam"},
            },
        ),
        ({"address": "", "city": ""}, {"@type": "Place", "name": "Tuschinski, Zaal 1"}),
        ({"online": True, "venue": "", "screen": ""}, {"@type": "VirtualLocation", "name": "Online"}),
    ],
)
def test_an_events_location_is_its_venue_and_screen_with_what_is_known_of_the_address(changes, location):
    event = screening_event({**ROW, **changes}, "https://example.org/en/films/home/#film")
    assert event["location"] == location
    online = changes.get("online", False)
    assert event["eventAttendanceMode"] == (
        "https://schema.org/OnlineEventAttendanceMode" if online else "https://schema.org/OfflineEventAttendanceMode"
    )


@pytest.mark.parametrize(
    ("status", "ticket_url", "event_status", "offers"),
    [
        ("scheduled", "", "EventScheduled", None),
        (
            "scheduled",
            "https://t.example/1",
            "EventScheduled",
            {"url": "https://t.example/1", "availability": "InStock"},
        ),
        ("sold-out", "", "EventScheduled", {"availability": "SoldOut"}),
        (
            "sold-out",
            "https://t.example/1",
            "EventScheduled",
            {"availability": "SoldOut", "url": "https://t.example/1"},
        ),
        ("cancelled", "https://t.example/1", "EventCancelled", None),
        ("cancelled", "", "EventCancelled", None),
    ],
)
def test_an_events_status_and_offer_follow_the_screenings_status_and_tickets(status, ticket_url, event_status, offers):
    event = screening_event({**ROW, "status": status, "ticket_url": ticket_url}, "#film")
    expected = {
        "@type": "ScreeningEvent",
        "name": "Home",
        "startDate": "2023-11-12T19:15:00+01:00",
        "endDate": "2023-11-12T21:00:00+01:00",
        "eventStatus": f"https://schema.org/{event_status}",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": event["location"],
        "workPresented": {"@id": "#film"},
    }
    if offers:
        expected["offers"] = {
            "@type": "Offer",
            **offers,
            "availability": f"https://schema.org/{offers['availability']}",
        }
    assert event == expected
    assert list(event.get("offers", {})) == (["@type", *offers] if offers else [])


def test_subtitles_are_listed_only_when_there_are_some():
    assert screening_event({**ROW, "subtitles": ["en", "nl"]}, "#film")["subtitleLanguage"] == ["en", "nl"]
    assert "subtitleLanguage" not in screening_event(ROW, "#film")


def test_a_whole_movie_from_what_the_film_page_already_has(rf):
    """``film_jsonld`` from what the film page has read: no query of its own."""
    film = Film(
        key="dim",
        title_en="Home",
        original_title="Дім",
        original_title_latin="Dim",
        year=2023,
        runtime_minutes=95,
        countries=["UA", "PL"],
        spoken_languages=["uk", "ru"],
        form="documentary",
        minimum_age=0,
        synopsis_en="",
        tagline_en="A house in the war.",
    )
    director = Person(key="alisa-kovalenko", name="Alisa Kovalenko")
    titles = [FilmTitle(title="Home"), FilmTitle(title="Дом"), FilmTitle(title="Dim")]
    with translation.override("en"):
        data = film_jsonld(
            film,
            rf.get("/en/films/dim/"),
            directors=[director],
            other_titles=titles,
            image_url="/media/dim.jpg",
            events=[ROW],
            awards=["Best Film, IDFA 2023"],
        )
    movie_id = "http://testserver/en/films/dim/#film"
    assert data == {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Movie",
                "@id": movie_id,
                "name": "Home",
                "url": "http://testserver/en/films/dim/",
                # The original, its transliteration and further titles, each once, the display title not again.
                "alternateName": ["Дім", "Dim", "Дом"],
                "dateCreated": "2023",
                "duration": "PT95M",
                "countryOfOrigin": [{"@type": "Country", "name": "Ukraine"}, {"@type": "Country", "name": "Poland"}],
                "inLanguage": ["uk", "ru"],
                "director": [
                    {
                        "@type": "Person",
                        "name": "Alisa Kovalenko",
                        "url": "http://testserver/en/people/alisa-kovalenko/",
                    }
                ],
                "genre": "Documentary",
                # 0: for all ages, which is not "no recommendation".
                "typicalAgeRange": "0-",
                "image": "http://testserver/media/dim.jpg",
                # Without a synopsis, the tagline.
                "description": "A house in the war.",
                "award": ["Best Film, IDFA 2023"],
            },
            screening_event(ROW, movie_id),
        ],
    }


def test_a_movie_says_nothing_of_what_is_not_known(rf):
    film = Film(key="dim", title_en="Home", countries=[], spoken_languages=[], form="", minimum_age=None)
    with translation.override("en"):
        data = film_jsonld(film, rf.get("/"), directors=[], other_titles=[], image_url=None, events=[])
    assert data == {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Movie",
                "@id": "http://testserver/en/films/dim/#film",
                "name": "Home",
                "url": "http://testserver/en/films/dim/",
            }
        ],
    }
