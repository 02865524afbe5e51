"""The frab / c3voc conference schedule (``/api/v1/<edition>/schedule.xml`` and ``schedule.json``, films/schedule.py).

Every document is checked against the rules of the format's two schemas (voc/schedule: ``validator/xsd/
schedule.xml.xsd`` and ``validator/json/schema.json``), restated below as our own checks: the elements, attributes
and keys each level requires and allows, the formats of dates, times and durations, unique ids, guids and slugs,
and days and rooms that agree with the events in them.
"""

import datetime
import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from films.models import (
    Award,
    AwardResult,
    Credit,
    Edition,
    Film,
    Person,
    Screen,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Section,
    Venue,
)

from .conftest import local

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
LANGUAGES = ("en", "uk", "pl", "de", "nl")
XML_URL = "/api/v1/idfa-2023/schedule.xml"
JSON_URL = "/api/v1/idfa-2023/schedule.json"


# The schemas' rules, restated ---------------------------------------------------------------------------------

UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME_TZ = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{1,2}:\d{2})")
HTTP_URI = re.compile(r"https?://\S+")
# XSD
XSD_START = re.compile(r"([0-2][0-9]:[0-5][0-9])|([0-2][0-9]:[0-5][0-9]:[0-5][0-9])")
XSD_DURATION = re.compile(r"([0-9]{1,2}:[0-9]{2})|([0-9]{1,2}:[0-9]{2}:[0-9]{1,2})")
XSD_ACRONYM = re.compile(r"[a-z0-9_-]{4,}")
XSD_EVENT_SLUG = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")  # voc-slug-new
XSD_TRACK_SLUG = re.compile(r"[a-z][a-z0-9-]+")
XSD_SCHEDULE_ORDER = ["generator", "url", "version", "conference", "day"]
XSD_CONFERENCE_ONCE = {
    "title",
    "acronym",
    "start",
    "end",
    "days",
    "timeslot_duration",
    "base_url",
    "logo",
    "url",
    "time_zone_name",
    "color",
}
XSD_EVENT_REQUIRED = {"room", "title", "type", "date", "start", "duration", "abstract", "track"}
XSD_EVENT_OPTIONAL = {
    "subtitle",
    "slug",
    "logo",
    "persons",
    "language",
    "description",
    "recording",
    "links",
    "attachments",
    "video_download_url",
    "url",
    "feedback_url",
    "origin_url",
}
# JSON Schema (patterns as JSON Schema applies them: found anywhere, anchored by their own ^ and $)
JSON_ACRONYM = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")
JSON_TIME_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
JSON_START = re.compile(r"^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$")
JSON_DURATION = re.compile(r"^[0-9]+:[0-9]{2}$")
JSON_SLUG = re.compile(r"^[a-z0-9_-]+[a-z0-9]$")
JSON_TOP = {"$schema", "schedule", "generator"}
JSON_CONFERENCE_REQUIRED = {"title", "acronym", "days", "daysCount", "start", "end", "timeslot_duration"}
JSON_CONFERENCE_ALLOWED = JSON_CONFERENCE_REQUIRED | {
    "description",
    "time_zone_name",
    "logo",
    "colors",
    "keywords",
    "url",
    "tracks",
    "rooms",
    "meta",
}
JSON_ROOM_ALLOWED = {
    "name",
    "slug",
    "type",
    "guid",
    "stream_id",
    "description",
    "capacity",
    "url",
    "features",
    "assembly",
}
JSON_ROOM_TYPES = {"lecturehall", "stage", "workshop", "outside", "online", "project", "bbb", "hangar", "other"}
JSON_DAY_KEYS = {"index", "date", "day_start", "day_end", "rooms"}
JSON_EVENT_REQUIRED = {
    "abstract",
    "date",
    "duration",
    "guid",
    "id",
    "language",
    "links",
    "persons",
    "room",
    "slug",
    "start",
    "subtitle",
    "title",
    "track",
    "type",
    "url",
}
JSON_EVENT_ALLOWED = JSON_EVENT_REQUIRED | {
    "code",
    "logo",
    "end",
    "description",
    "recording_license",
    "do_not_record",
    "do_not_stream",
    "feedback_url",
    "origin_url",
    "attachments",
}
JSON_REFERENCE_TYPES = {"slides", "paper", "web", "blog", "article", "media", "related", "activitypub"}


def is_date_time_tz(value):
    return isinstance(value, str) and DATE_TIME_TZ.fullmatch(value) and datetime.datetime.fromisoformat(value)


def is_date(value):
    return isinstance(value, str) and DATE.fullmatch(value) and datetime.date.fromisoformat(value)


def hh_mm_minutes(value):
    hours, minutes = value.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def check_consistency(days, events_by_day, room_names):
    """What both formats must hold beyond each element's own rules: unique ids, guids and slugs; days numbered
    1, 2, ... one calendar day apart; each event in the day and room it is listed under; start and duration agreeing
    with the event's date."""
    ids, guids, slugs = [], [], []
    previous = None
    for position, day in enumerate(days, start=1):
        assert day["index"] == position
        start, end = day["start"], day["end"]
        assert start.date().isoformat() == day["date"]
        assert end > start
        if previous is not None:
            assert start == previous  # each day starts where the one before it ended
        previous = end
        for room, event in events_by_day[position - 1]:
            assert room in room_names
            assert event["room"] == room
            moment = datetime.datetime.fromisoformat(event["date"])
            assert start <= moment < end, (event["slug"], day["date"])
            assert event["start"] == moment.strftime("%H:%M")
            ids.append(event["id"])
            guids.append(event["guid"])
            slugs.append(event["slug"])
    assert len(ids) == len(set(ids)), "ids unique"
    assert len(guids) == len(set(guids)), "guids unique"
    assert len(slugs) == len(set(slugs)), "slugs unique"
    return ids


def check_json(document):
    """Every rule of the c3voc JSON schema (validator/json/schema.json), and the consistency of days and rooms."""
    assert set(document) <= JSON_TOP
    assert document["$schema"] == "https://c3voc.de/schedule/schema.json"
    assert isinstance(document["generator"]["name"], str)
    schedule = document["schedule"]
    assert isinstance(schedule["version"], str)
    assert schedule["version"]
    assert HTTP_URI.fullmatch(schedule["base_url"])
    assert "rooms" not in schedule
    conference = schedule["conference"]
    assert JSON_CONFERENCE_REQUIRED <= set(conference) <= JSON_CONFERENCE_ALLOWED
    assert isinstance(conference["title"], str)
    assert JSON_ACRONYM.search(conference["acronym"])
    assert is_date(conference["start"]) or is_date_time_tz(conference["start"])
    assert is_date(conference["end"]) or is_date_time_tz(conference["end"])
    assert type(conference["daysCount"]) is int
    assert isinstance(conference["timeslot_duration"], str)
    assert JSON_TIME_ZONE.search(conference["time_zone_name"])
    assert HTTP_URI.fullmatch(conference["url"])
    for track in conference.get("tracks", []):
        assert isinstance(track["name"], str)
        assert "slug" not in track or JSON_SLUG.search(track["slug"])
    room_names = []
    for room in conference.get("rooms", []):
        assert {"name", "guid"} <= set(room) <= JSON_ROOM_ALLOWED
        assert isinstance(room["name"], str)
        assert UUID.fullmatch(room["guid"])
        assert "slug" not in room or JSON_SLUG.search(room["slug"])
        assert "type" not in room or room["type"] in JSON_ROOM_TYPES
        assert room.get("capacity") is None or type(room["capacity"]) in (int, float)
        assert "url" not in room or HTTP_URI.fullmatch(room["url"])
        room_names.append(room["name"])
    assert len(room_names) == len(set(room_names)), "room names unique"
    assert isinstance(conference["days"], list)
    assert conference["daysCount"] == len(conference["days"])
    days, events_by_day = [], []
    for day in conference["days"]:
        assert set(day) == JSON_DAY_KEYS
        assert type(day["index"]) is int
        assert is_date(day["date"])
        assert is_date_time_tz(day["day_start"])
        assert is_date_time_tz(day["day_end"])
        assert isinstance(day["rooms"], dict)
        listed = []
        for room, events in day["rooms"].items():
            assert isinstance(events, list)
            assert events, "a day lists only rooms with screenings"
            listed += [(room, event) for event in events]
            for event in events:
                check_json_event(event)
        days.append(
            {
                "index": day["index"],
                "date": day["date"],
                "start": datetime.datetime.fromisoformat(day["day_start"]),
                "end": datetime.datetime.fromisoformat(day["day_end"]),
            }
        )
        events_by_day.append(listed)
    check_consistency(days, events_by_day, set(room_names))
    for _room, event in (item for listed in events_by_day for item in listed):
        end = datetime.datetime.fromisoformat(event["end"])
        begin = datetime.datetime.fromisoformat(event["date"])
        assert hh_mm_minutes(event["duration"]) == round((end - begin).total_seconds() / 60)
    return [event for listed in events_by_day for _room, event in listed]


def check_json_event(event):
    assert JSON_EVENT_REQUIRED <= set(event) <= JSON_EVENT_ALLOWED, set(event) ^ JSON_EVENT_REQUIRED
    assert UUID.fullmatch(event["guid"])
    assert type(event["id"]) is int
    assert event["id"] >= 1
    assert is_date_time_tz(event["date"])
    assert JSON_START.search(event["start"])
    assert "end" not in event or is_date_time_tz(event["end"])
    assert JSON_DURATION.search(event["duration"])
    assert isinstance(event["room"], str)
    assert JSON_SLUG.search(event["slug"])
    assert HTTP_URI.fullmatch(event["url"])
    assert isinstance(event["title"], str)
    for key in ("subtitle", "track", "language", "abstract", "description"):
        assert event.get(key) is None or isinstance(event[key], str), key
    assert isinstance(event["type"], str)
    assert isinstance(event["persons"], list)
    for person in event["persons"]:
        assert isinstance(person, dict)
        frab = isinstance(person.get("id"), int) and isinstance(person.get("public_name"), str)
        pretalx = isinstance(person.get("name"), str) and (
            "code" not in person or re.search(r"^[A-Z0-9]+$", person["code"])
        )
        assert frab != pretalx, "a person is exactly one of a frab or a pretalx person (oneOf)"
        assert "guid" not in person or UUID.fullmatch(person["guid"])
        assert "url" not in person or HTTP_URI.fullmatch(person["url"])
    for key in ("links", "attachments"):
        assert isinstance(event.get(key, []), list)
        for reference in event.get(key, []):
            assert "url" in reference
            assert set(reference) <= {"type", "url", "title"}
            assert HTTP_URI.fullmatch(reference["url"])
            assert "type" not in reference or reference["type"] in JSON_REFERENCE_TYPES
            assert "title" not in reference or isinstance(reference["title"], str)


def only_child(element, tag):
    found = element.findall(tag)
    assert len(found) == 1, (element.tag, tag, len(found))
    return found[0]


def check_xml(content):
    """Every rule of the c3voc XSD (validator/xsd/schedule.xml.xsd), and the consistency of days and rooms."""
    assert content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(content)  # noqa: S314 - our own output
    assert root.tag == "schedule"
    assert not root.attrib
    tags = [child.tag for child in root]
    assert set(tags) <= set(XSD_SCHEDULE_ORDER)
    assert tags == sorted(tags, key=XSD_SCHEDULE_ORDER.index), "the schedule's children in the XSD's sequence"
    for once in ("generator", "url", "version", "conference"):
        assert tags.count(once) <= 1
    assert tags.count("version") == 1
    assert tags.count("conference") == 1
    assert tags.count("day") >= 1
    if root.find("url") is not None:
        assert HTTP_URI.fullmatch(root.find("url").text)
    generator = root.find("generator")
    if generator is not None:
        assert set(generator.attrib) <= {"name", "system", "version"}
        assert len(generator) == 0
    assert root.find("version").text
    conference = root.find("conference")
    children = [child.tag for child in conference]
    assert set(children) <= XSD_CONFERENCE_ONCE | {"track"}
    for tag in XSD_CONFERENCE_ONCE:
        assert children.count(tag) <= 1, tag
    assert XSD_ACRONYM.fullmatch(conference.find("acronym").text)
    for tag in ("start", "end"):
        text = conference.find(tag).text
        assert is_date(text) or is_date_time_tz(text)
    assert re.fullmatch(r"[+-]?\d+", conference.find("days").text)
    assert XSD_DURATION.fullmatch(conference.find("timeslot_duration").text)
    for tag in ("base_url", "url"):
        assert HTTP_URI.fullmatch(conference.find(tag).text)
    for track in conference.findall("track"):
        assert "name" in track.attrib
        assert set(track.attrib) <= {"name", "color", "slug"}
        assert "slug" not in track.attrib or XSD_TRACK_SLUG.fullmatch(track.attrib["slug"])
    days, events_by_day, room_names = [], [], set()
    for day in root.findall("day"):
        assert set(day.attrib) <= {"date", "start", "end", "index"}
        assert {"start", "end", "index"} <= set(day.attrib)
        assert re.fullmatch(r"[1-9]\d*", day.attrib["index"])
        assert is_date(day.attrib["date"])
        assert is_date_time_tz(day.attrib["start"])
        assert is_date_time_tz(day.attrib["end"])
        listed = []
        for room in day:
            assert room.tag == "room"
            assert "name" in room.attrib
            assert set(room.attrib) <= {"name", "guid"}
            assert "guid" not in room.attrib or UUID.fullmatch(room.attrib["guid"])
            room_names.add(room.attrib["name"])
            for event in room:
                listed.append((room.attrib["name"], check_xml_event(event)))
        days.append(
            {
                "index": int(day.attrib["index"]),
                "date": day.attrib["date"],
                "start": datetime.datetime.fromisoformat(day.attrib["start"]),
                "end": datetime.datetime.fromisoformat(day.attrib["end"]),
            }
        )
        events_by_day.append(listed)
    assert re.fullmatch(str(len(days)), conference.find("days").text)
    check_consistency(days, events_by_day, room_names)
    return root


def check_xml_event(event):
    """One ``<event>``'s own rules; returns its content as a dict shaped like the JSON's event."""
    assert event.tag == "event"
    assert {"id", "guid"} <= set(event.attrib) <= {"id", "guid", "code"}
    assert re.fullmatch(r"[1-9]\d*", event.attrib["id"])
    assert UUID.fullmatch(event.attrib["guid"])
    tags = [child.tag for child in event]
    assert len(tags) == len(set(tags)), "xs:all: each element at most once"
    assert XSD_EVENT_REQUIRED <= set(tags) <= XSD_EVENT_REQUIRED | XSD_EVENT_OPTIONAL, set(tags)
    text = {child.tag: child.text or "" for child in event}
    assert is_date_time_tz(text["date"])
    assert XSD_START.fullmatch(text["start"])
    assert XSD_DURATION.fullmatch(text["duration"])
    if "slug" in text:
        assert XSD_EVENT_SLUG.fullmatch(text["slug"])
    for tag in ("url", "video_download_url", "feedback_url", "origin_url"):
        if tag in text:
            assert HTTP_URI.fullmatch(text[tag])
    if "logo" in text:
        assert re.fullmatch(r"https?://.*|\s*", text["logo"])
    persons = []
    if event.find("persons") is not None:
        for person in event.find("persons"):
            assert person.tag == "person"
            assert set(person.attrib) <= {"id", "guid"}
            assert "id" not in person.attrib or re.fullmatch(r"[+-]?\d+", person.attrib["id"])
            assert "guid" not in person.attrib or UUID.fullmatch(person.attrib["guid"])
            assert len(person) == 0
            persons.append(person.text)
    links = []
    for tag in ("links", "attachments"):
        if event.find(tag) is not None:
            for item in event.find(tag):
                assert item.tag == tag[:-1]
                assert set(item.attrib) <= {"href", "type", "service"} if tag == "links" else {"href", "type"}
                assert len(item) == 0
                if tag == "links":
                    links.append((item.attrib.get("href"), item.text))
    return {
        **text,
        "id": int(event.attrib["id"]),
        "guid": event.attrib["guid"],
        "persons": persons,
        "links": links,
    }


def get_xml(client, url=XML_URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return response, check_xml(response.content)


def get_json(client, url=JSON_URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    return document, check_json(document)


def xml_events(root):
    return {event.attrib["guid"]: event for event in root.iter("event")}


def assert_same_schedule(document, root):
    """The XML says what the JSON says: conference, days, rooms and every event's fields (each document has its own
    version, a digest of itself)."""
    schedule = document["schedule"]
    conference = schedule["conference"]
    assert re.fullmatch(r"[0-9a-f]{16}", schedule["version"])
    assert re.fullmatch(r"[0-9a-f]{16}", root.find("version").text)
    head = root.find("conference")
    for tag in ("title", "acronym", "start", "end", "timeslot_duration", "url", "time_zone_name"):
        assert head.find(tag).text == conference[tag], tag
    assert head.find("base_url").text == schedule["base_url"]
    assert int(head.find("days").text) == conference["daysCount"]
    assert [track.attrib for track in head.findall("track")] == conference["tracks"]
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    xml_days = root.findall("day")
    assert len(xml_days) == len(conference["days"])
    for day, element in zip(conference["days"], xml_days, strict=True):
        assert element.attrib == {
            "index": str(day["index"]),
            "date": day["date"],
            "start": day["day_start"],
            "end": day["day_end"],
        }
        assert [room.attrib for room in element] == [{"name": name, "guid": guids[name]} for name in day["rooms"]]
        for room, events in zip(element, day["rooms"].values(), strict=True):
            assert len(room) == len(events)
            for event, xml in zip(events, room, strict=True):
                found = check_xml_event(xml)
                assert found["id"] == event["id"]
                assert found["guid"] == event["guid"]
                for key in ("room", "title", "type", "date", "start", "duration", "slug", "url", "description"):
                    assert found[key] == event[key], key
                for key in ("abstract", "track"):
                    assert found[key] == (event[key] or ""), key
                for key in ("subtitle", "language"):
                    assert found.get(key) == event[key], key
                assert found["persons"] == [person["public_name"] for person in event["persons"]]
                assert found["links"] == [(link["url"], link["title"]) for link in event["links"]]
                ids = [person.attrib["id"] for person in xml.find("persons")]
                assert ids == [str(person["id"]) for person in event["persons"]]


def events_by_slug(events):
    return {event["slug"]: event for event in events}


# A small edition ------------------------------------------------------------------------------------------------


@pytest.fixture
def small(edition, section, screen, venue, film, make_screening):
    """Two venues, an online screening, a shorts programme, a sold-out and a cancelled screening, and drafts."""
    film.spoken_languages = ["uk", "ru"]
    film.synopsis = "Five teenagers in the Donbas."
    film.save()
    director = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    Credit.objects.create(film=film, role="director", person=director, order=0)
    Credit.objects.create(film=film, role="editing", person=Person.objects.create(key="editor", name="An Editor"))
    arsenal = Venue.objects.create(key="arsenal", name="Arsenal")
    kino = Screen.objects.create(venue=arsenal, key="arsenal-1", name="Kino 1", capacity=120, order=1)
    alpha = Film.objects.create(
        key="short-alpha",
        title="Short Alpha",
        original_title="Kurz Alpha",
        year=2022,
        runtime_minutes=15,
        spoken_languages=["de"],
        synopsis="Alpha's synopsis.",
        published=True,
    )
    beta = Film.objects.create(
        key="short-beta", title="Short Beta", year=2023, runtime_minutes=20, spoken_languages=["de"], published=True
    )
    beta_director = Person.objects.create(key="beta-director", name="Beta Director")
    Credit.objects.create(film=beta, role="director", person=beta_director)
    Credit.objects.create(film=alpha, role="director", person=beta_director)
    shorts = Section.objects.create(edition=edition, key="shorts", name="Shorts", order=2, published=True)
    screenings = {
        "single": make_screening(
            local(2023, 11, 12, 19, 15), key="wwnfa-1", ticket_url="https://tickets.example/1", captions=True
        ),
        "sold-out": make_screening(
            local(2023, 11, 12, 22, 0), key="wwnfa-2", status="sold-out", ticket_url="https://tickets.example/2"
        ),
        "late": make_screening(local(2023, 11, 19, 23, 30), key="wwnfa-late", screen=kino, minutes=95),
        "shorts": make_screening(
            local(2023, 11, 13, 14, 0), key="shorts-1", films=[alpha, beta], minutes=40, section=shorts, screen=kino
        ),
        "online": make_screening(
            local(2023, 11, 14, 10, 0),
            key="online-1",
            screen=None,
            audience="online",
            section=None,
            films=[beta],
            minutes=20,
        ),
        "cancelled": make_screening(local(2023, 11, 12, 10, 0), key="gone", status="cancelled"),
        "draft": make_screening(local(2023, 11, 15, 10, 0), key="draft-1", published=False),
    }
    ScreeningGuest.objects.create(screening=screenings["single"], person=director, intro=True, qa=True)
    return screenings


def test_json_follows_the_schema_and_says_what_the_programme_holds(client, small):
    document, events = get_json(client)
    schedule = document["schedule"]
    conference = schedule["conference"]
    assert document["generator"] == {"name": "festival"}
    assert schedule["url"] == "http://testserver/api/v1/idfa-2023/schedule.json?lang=en"
    assert schedule["base_url"] == "http://testserver/"
    assert re.fullmatch(r"[0-9a-f]{16}", schedule["version"])
    assert {key: value for key, value in conference.items() if key not in ("days", "rooms")} == {
        "acronym": "idfa_2023",
        "title": "IDFA 2023",
        "start": "2023-11-08",
        "end": "2023-11-19",
        "daysCount": 12,
        "timeslot_duration": "00:05",
        "time_zone_name": "Europe/Amsterdam",
        "url": "http://testserver/en/idfa-2023/programme/",
        "tracks": [{"name": "Best of Fests", "slug": "best-of-fests"}, {"name": "Shorts", "slug": "shorts"}],
    }
    assert [room["name"] for room in conference["rooms"]] == [
        "Arsenal – Kino 1",
        "Example Cinema – Example Cinema 1",
        "Online",
    ]
    assert conference["rooms"][0] == {
        "name": "Arsenal – Kino 1",
        "guid": conference["rooms"][0]["guid"],
        "slug": "arsenal-1",
        "capacity": 120,
        "url": "http://testserver/en/venues/arsenal/",
    }
    assert conference["rooms"][2]["type"] == "online"
    days = conference["days"]
    assert [day["date"] for day in days] == [f"2023-11-{day:02d}" for day in range(8, 20)]
    assert days[0]["day_start"] == "2023-11-08T00:00:00+01:00"
    assert days[0]["day_end"] == "2023-11-09T00:00:00+01:00"
    assert days[4]["rooms"] == {
        "Example Cinema – Example Cinema 1": days[4]["rooms"]["Example Cinema – Example Cinema 1"]
    }
    assert [event["slug"] for event in events] == [
        "idfa_2023-wwnfa-1",
        "idfa_2023-wwnfa-2",
        "idfa_2023-shorts-1",
        "idfa_2023-online-1",
        "idfa_2023-wwnfa-late",
    ]
    single = events[0]
    screening = small["single"]
    assert single == {
        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, "festival:testserver/idfa-2023/wwnfa-1")),
        "id": screening.pk,
        "date": "2023-11-12T19:15:00+01:00",
        "start": "19:15",
        "end": "2023-11-12T20:55:00+01:00",
        "duration": "01:40",
        "room": "Example Cinema – Example Cinema 1",
        "slug": "idfa_2023-wwnfa-1",
        "url": "http://testserver/en/films/we-will-not-fade-away/",
        "title": "We Will Not Fade Away",
        "subtitle": "Ми не згаснемо",
        "track": "Best of Fests",
        "type": "screening",
        "language": "uk",
        "abstract": "Five teenagers in the Donbas.",
        "description": "We Will Not Fade Away (Ми не згаснемо) – Alisa Kovalenko, 2023, 100 min\n"
        "Accessibility: Captions for the deaf and hard of hearing\n"
        "Introduction and Q&A with Alisa Kovalenko",
        "persons": [
            {
                "id": Person.objects.get(key="alisa-kovalenko").pk,
                "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, "festival:testserver/person/alisa-kovalenko")),
                "public_name": "Alisa Kovalenko",
                "url": "http://testserver/en/people/alisa-kovalenko/",
            }
        ],
        "links": [{"type": "web", "url": "https://tickets.example/1", "title": "Tickets"}],
        "attachments": [],
    }
    sold_out = events[1]
    assert sold_out["description"].startswith("Sold out.\n")
    assert sold_out["links"] == []  # no tickets to buy
    late = events[4]
    assert late["date"] == "2023-11-19T23:30:00+01:00"
    assert late["end"] == "2023-11-20T01:05:00+01:00"  # after its day's end, still on its day
    assert late["room"] == "Arsenal – Kino 1"
    assert [list(day["rooms"]) for day in days if day["date"] == "2023-11-19"] == [["Arsenal – Kino 1"]]


def test_xml_follows_the_xsd_and_says_what_the_json_says(client, small):
    response, root = get_xml(client)
    document, _events = get_json(client)
    assert_same_schedule(document, root)
    assert root.find("url").text == "http://testserver/api/v1/idfa-2023/schedule.xml?lang=en"
    assert root.find("generator").attrib == {"name": "festival"}
    online = root.find(".//event/slug[.='idfa_2023-online-1']/..")
    assert online.find("track").text is None  # required by the XSD, empty without a section
    assert online.find("subtitle") is None  # the JSON's null: left out
    assert response["Access-Control-Allow-Origin"] == "*"


def test_cancelled_and_draft_screenings_are_left_out(client, small):
    _document, events = get_json(client)
    slugs = {event["slug"] for event in events}
    assert "idfa_2023-gone" not in slugs
    assert "idfa_2023-draft-1" not in slugs
    _response, root = get_xml(client)
    assert {slug.text for slug in root.iter("slug")} == slugs


def test_a_shorts_programme_is_one_event_that_lists_its_films(client, small):
    _document, events = get_json(client)
    shorts = events_by_slug(events)["idfa_2023-shorts-1"]
    director = Person.objects.get(key="beta-director")
    assert shorts["title"] == "Short Alpha / Short Beta"
    assert shorts["subtitle"] == "Kurz Alpha / Short Beta"
    assert shorts["language"] == "de"
    assert shorts["track"] == "Shorts"
    assert shorts["url"] == "http://testserver/en/films/short-alpha/"
    assert shorts["abstract"] == "Short Alpha: Alpha's synopsis."
    assert shorts["description"] == (
        "Short Alpha (Kurz Alpha) – Beta Director, 2022, 15 min\n"
        "http://testserver/en/films/short-alpha/\n"
        "Short Beta – Beta Director, 2023, 20 min\n"
        "http://testserver/en/films/short-beta/"
    )
    assert [person["id"] for person in shorts["persons"]] == [director.pk]  # once, though it directed both
    assert shorts["duration"] == "00:40"
    _response, root = get_xml(client)
    assert len([slug for slug in root.iter("slug") if slug.text == "idfa_2023-shorts-1"]) == 1


def test_the_online_screening_is_in_a_room_named_online_in_the_requested_language(client, small):
    _document, events = get_json(client, lang="uk")
    online = events_by_slug(events)["idfa_2023-online-1"]
    assert online["room"] == "Онлайн"
    assert online["track"] is None


def test_a_draft_film_inside_a_published_screening_does_not_show(client, small, film):
    draft = Film.objects.create(key="draft-short", title="Draft Short", published=False)
    Credit.objects.create(film=draft, role="director", person=Person.objects.create(key="dd", name="Draft Director"))
    ScreeningFilm.objects.create(screening=small["shorts"], film=draft, order=5)
    for lang in LANGUAGES:
        json_response = client.get(JSON_URL, {"lang": lang})
        xml_response = client.get(XML_URL, {"lang": lang})
        for response in (json_response, xml_response):
            assert b"Draft Short" not in response.content
            assert b"Draft Director" not in response.content
            assert b"draft-short" not in response.content
    _document, events = get_json(client)
    assert "idfa_2023-shorts-1" not in events_by_slug(events)  # the programme is left out whole, as everywhere
    assert "idfa_2023-wwnfa-1" in events_by_slug(events)


def test_drafts_of_every_kind_never_appear(client, small, section):
    section.published = False
    section.save()
    _document, events = get_json(client)
    assert {event["slug"] for event in events} == {"idfa_2023-shorts-1", "idfa_2023-online-1"}
    film = Film.objects.get(key="short-beta")
    film.published = False
    film.save()
    _document, events = get_json(client)
    assert events == []
    get_xml(client)  # still a valid document: its days, without rooms


def test_an_unpublished_or_unknown_edition_is_404_in_plain_text(client, small, edition):
    for url in ("/api/v1/no-such-edition/schedule.xml", "/api/v1/no-such-edition/schedule.json"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == "There is no published edition “no-such-edition”."
    edition.published = False
    edition.save()
    assert client.get(XML_URL).status_code == 404
    assert client.get(JSON_URL).status_code == 404


@pytest.mark.parametrize("lang", ["fr", "EN", "en-gb", "<script>", "x" * 500])
def test_an_unknown_language_is_400_in_plain_text(client, small, lang):
    for url in (XML_URL, JSON_URL):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == (
            f"“{lang[:20]}” is not a language of this site; choose one of en, uk, pl, de, nl."
        )


def test_no_lang_or_an_empty_one_is_english_and_other_parameters_change_nothing(client, small):
    for url in (JSON_URL, XML_URL):
        english = client.get(url, {"lang": "en"}).content
        assert client.get(url).content == english
        assert client.get(url, {"lang": ""}).content == english
        assert client.get(url, {"lang": "en", "utm_source": "app"}).content == english
        assert client.get(url, {"lang": "uk"}).content != english


def test_a_moved_screening_shows_its_new_time_on_the_next_request(
    client, small, settings, django_capture_on_commit_callbacks
):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    try:
        first, _events = get_json(client)
        _response, first_xml = get_xml(client)
        assert client.get(JSON_URL)["X-Page-Cache"] == "hit"
        assert client.get(XML_URL)["X-Page-Cache"] == "hit"
        screening = small["single"]
        with django_capture_on_commit_callbacks(execute=True):
            screening.starts_at = local(2023, 11, 16, 21, 0)
            screening.ends_at = local(2023, 11, 16, 22, 40)
            screening.save()
        document, events = get_json(client)
        moved = events_by_slug(events)["idfa_2023-wwnfa-1"]
        assert moved["date"] == "2023-11-16T21:00:00+01:00"
        assert moved["start"] == "21:00"
        assert moved["guid"] == events_by_slug(_events)["idfa_2023-wwnfa-1"]["guid"]  # the same event, moved
        day = next(day for day in document["schedule"]["conference"]["days"] if day["date"] == "2023-11-16")
        assert [event["slug"] for event in day["rooms"]["Example Cinema – Example Cinema 1"]] == ["idfa_2023-wwnfa-1"]
        assert document["schedule"]["version"] != first["schedule"]["version"]
        response, root = get_xml(client)
        assert response["X-Page-Cache"] == "miss"
        assert root.find("version").text != first_xml.find("version").text
        event = root.find(".//event/slug[.='idfa_2023-wwnfa-1']/..")
        assert event.find("date").text == "2023-11-16T21:00:00+01:00"
        assert event.find("start").text == "21:00"
    finally:
        cache.clear()


def test_a_document_is_built_again_only_when_what_it_shows_changes(
    client, small, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With the page cache off: built once per state of the edition and language (``films.cache.kept``); a save
    that changes nothing it shows (a film in no edition) leaves it as built; a move builds it again."""
    from films import schedule
    from films.models import Film

    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    settings.FESTIVAL_EXPORT_CACHE = True
    cache.clear()
    built = []
    original = schedule.build_xml

    def counting(*args):
        built.append(args[2])
        return original(*args)

    monkeypatch.setattr(schedule, "build_xml", counting)
    first = client.get(XML_URL).content
    assert client.get(XML_URL).content == first
    client.get(XML_URL, {"lang": "uk"})
    assert built == ["en", "uk"]
    with django_capture_on_commit_callbacks(execute=True):
        Film.objects.create(key="in-no-edition", title="In No Edition", year=2024, runtime_minutes=90)
    assert client.get(XML_URL).content == first
    assert built == ["en", "uk"]
    screening = small["single"]
    with django_capture_on_commit_callbacks(execute=True):
        screening.starts_at = local(2023, 11, 16, 21, 0)
        screening.ends_at = local(2023, 11, 16, 22, 40)
        screening.save()
    assert client.get(XML_URL).content != first
    assert built == ["en", "uk", "en"]
    settings.FESTIVAL_EXPORT_CACHE = False
    client.get(XML_URL)
    assert built == ["en", "uk", "en", "en"]
    cache.clear()


def versions(client, lang="en"):
    return get_json(client, lang=lang)[0]["schedule"]["version"], get_xml(client, lang=lang)[1].find("version").text


def test_the_version_is_a_digest_of_the_document_and_changes_with_it(client, small, film):
    first = versions(client)
    assert versions(client) == first  # nothing changed: the same version, whichever process renders it
    response = client.get(XML_URL)
    assert hashlib.sha256(response.content.replace(first[1].encode(), b"@version@")).hexdigest()[:16] == first[1]
    assert versions(client, "de") != first  # a document per language
    film.title_en = "A New Title"
    film.save()
    retitled = versions(client)
    assert retitled[0] != first[0]
    assert retitled[1] != first[1]
    Screening.objects.filter(pk=small["online"].pk).delete()  # a deletion raises no record's own version
    after = versions(client)
    assert after[0] != retitled[0]
    assert after[1] != retitled[1]


def make_screenings(edition, section, screen, film, count, start_day):
    for index in range(count):
        starts_at = local(2023, 11, start_day + index % 3, 9 + index // 3, 0)
        screening = Screening(
            edition=edition,
            section=section,
            screen=screen,
            key=f"bulk-{start_day}-{index}",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=40),
            published=True,
        )
        screening.save()
        ScreeningFilm.objects.create(screening=screening, film=film)
        ScreeningGuest.objects.create(screening=screening, person=Person.objects.get(key="alisa-kovalenko"), qa=True)


@pytest.mark.parametrize("url", [XML_URL, JSON_URL])
def test_queries_do_not_grow_with_the_number_of_screenings(client, small, edition, section, screen, film, url):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    few = count()
    make_screenings(edition, section, screen, film, 3, 8)
    other = Screen.objects.create(venue=screen.venue, key="example-cinema-2", name="Example Cinema 2")
    shorts = Film.objects.create(key="another", title="Another", published=True)
    Credit.objects.create(film=shorts, role="director", person=Person.objects.create(key="another-d", name="D"))
    make_screenings(edition, section, other, shorts, 20, 16)
    # The edition; its sections, its screenings, which films each shows, those films, their directors, the guests.
    assert count() == few == 7


def test_embargoed_award_results_do_not_leak(client, small, edition, section, film):
    section.competitive = True
    section.results_announced_at = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=365)
    section.save()
    assert section.announcement_time > datetime.datetime.now(tz=datetime.UTC)  # under embargo
    award = Award.objects.create(edition=edition, section=section, key="best", name="Golden Embargo")
    AwardResult.objects.create(award=award, film=film, citation="A secret citation")
    for url in (XML_URL, JSON_URL):
        content = client.get(url).content
        assert b"Golden Embargo" not in content
        assert b"secret citation" not in content


def test_room_names_that_clash_are_told_apart_and_short_keys_are_padded(client, small, venue, film, make_screening):
    twin = Screen.objects.create(venue=venue, key="ec-1b", name="Example Cinema 1", order=5)
    make_screening(local(2023, 11, 17, 12, 0), key="s2", screen=twin)
    short = Edition.objects.create(
        festival=small["single"].edition.festival,
        key="ff",
        year=2024,
        name="FF",
        start_date=datetime.date(2024, 3, 30),
        end_date=datetime.date(2024, 4, 1),
        timezone="Europe/Amsterdam",
        published=True,
    )
    make_screening(local(2024, 3, 31, 12, 0), key="x", edition=short, section=None)
    _document, events = get_json(client)
    rooms = {event["room"] for event in events}
    assert "Example Cinema – Example Cinema 1 (ec-1b)" in rooms
    assert "Example Cinema – Example Cinema 1" in rooms
    get_xml(client)
    document, events = get_json(client, url="/api/v1/ff/schedule.json")
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "__ff"
    assert [event["slug"] for event in events] == ["__ff-___x"]
    # Summer time ends on 31 March 2024 ... begins, in Amsterdam: the days' offsets follow the zone.
    assert [(day["day_start"], day["day_end"]) for day in conference["days"]] == [
        ("2024-03-30T00:00:00+01:00", "2024-03-31T00:00:00+01:00"),
        ("2024-03-31T00:00:00+01:00", "2024-04-01T00:00:00+02:00"),
        ("2024-04-01T00:00:00+02:00", "2024-04-02T00:00:00+02:00"),
    ]
    assert events[0]["date"] == "2024-03-31T12:00:00+02:00"
    get_xml(client, url="/api/v1/ff/schedule.xml")


# The example film, in every language ---------------------------------------------------------------------------


@pytest.fixture
def example(db):
    """The example catalogue (/work/shared/catalogue): the film, its people, IDFA 2023 and its screening."""
    from films.catalogue import import_catalogue

    import_catalogue([EXAMPLE_PATH])
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    return document["films"][0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_example_film_in_every_language(client, example, lang):
    document, events = get_json(client, lang=lang)
    _response, root = get_xml(client, lang=lang)
    assert_same_schedule(document, root)
    assert len(events) == 1
    event = events[0]
    title = example["title"].get(lang, example["title"]["en"])
    synopsis = example["synopsis"].get(lang, example["synopsis"]["en"])
    assert event["title"] == title
    assert event["abstract"] == synopsis
    assert event["subtitle"] == (None if title == example["original_title"] else example["original_title"])
    assert event["url"] == f"http://testserver/{lang}/films/we-will-not-fade-away/"
    assert event["date"] == "2023-11-12T19:15:00+01:00"
    assert event["language"] == "uk"
    assert event["slug"] == "idfa_2023-idfa-2023-wwnfa-1"
    assert [person["public_name"] for person in event["persons"]] == ["Alisa Kovalenko"]
    assert event["track"] == {"nl": "Best of Fests"}.get(lang, "Best of Fests")
    assert event["description"].splitlines()[-1] == (
        "Illustrative screening: venue and time are made up for this example."
    )
    assert document["schedule"]["conference"]["title"] == "IDFA 2023"
    assert document["schedule"]["conference"]["url"] == f"http://testserver/{lang}/idfa-2023/programme/"
    xml_event = root.find(".//event")
    assert xml_event.find("title").text == title
    assert xml_event.find("abstract").text == synopsis


def test_the_example_films_title_and_synopsis_come_in_the_right_language(client, example):
    titles = {lang: get_json(client, lang=lang)[1][0]["title"] for lang in LANGUAGES}
    abstracts = {lang: get_json(client, lang=lang)[1][0]["abstract"][:20] for lang in LANGUAGES}
    assert titles == {
        "en": "We Will Not Fade Away",
        "uk": "Ми не згаснемо",
        "pl": "We Will Not Fade Away",  # no Polish title: English
        "de": "We Will Not Fade Away",
        "nl": "We Will Not Fade Away",
    }
    assert abstracts == {
        "en": "The people of the Do",
        "uk": "The people of the Do",  # no Ukrainian synopsis: English
        "pl": "W filmie śledzimy lo",
        "de": "The people of the Do",
        "nl": "The people of the Do",
    }
