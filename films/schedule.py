"""An edition's published programme as a conference schedule: the frab / c3voc ``schedule.xml`` and ``schedule.json``.

The exchange format that conference schedule apps (Giggity, EventFahrplan), pretalx and frab read. Its schema is
in the public repository voc/schedule (``validator/xsd/schedule.xml.xsd`` and ``validator/json/schema.json``); the
two documents here are built from one structure, ``schedule_data``, so they always say the same.

How the programme maps onto it:

- **conference**: the edition: its name in the requested language (title), its key as ``acronym`` (hyphens written
  as underscores, since the JSON schema's acronym allows none, and padded with ``_`` to the four characters both
  schemas ask for: ``idfa-2023`` is ``idfa_2023``), first and last day, the number of days, its IANA time zone, the
  programme page as ``url``, the site's root as ``base_url``; ``tracks`` are the sections with screenings in it.
- **days**: the edition's days in its time zone, numbered from 1, each from local midnight to the next midnight. A
  screening belongs to the day it starts on, as on the programme page (a late screening may end after ``day_end``).
- **rooms**: the screens, named "Venue – Screen" ("Screen" alone where the two names are the same; a screen whose
  name another room already has gets its key in brackets); an online screening without a screen is in a room named
  "Online" (in the requested language). ``conference.rooms`` lists every room with a screening, in venue order, Online
  last; each day lists the rooms with a screening that day, in the same order.
- **events**: the screenings. ``id`` is the screening's primary key; ``guid`` a UUID 5 of the site's host, the edition
  key and the screening key (stable across languages and moves); ``slug`` the acronym, a hyphen and the screening key
  (``_``-padded to four characters, on the left); ``date`` the start with the zone's offset, ``start`` its local
  HH:MM, ``duration`` HH:MM (the JSON also has ``end``); ``title`` the film's title in the requested language (its
  English title, then its original title where there is none), a shorts programme's titles joined by " / " (it is one
  event); ``subtitle`` the original title(s), likewise joined, where they differ from the title; ``track`` the
  section's name; ``type`` "screening"; ``language`` the first spoken language of the film (of a shorts programme:
  only when all its films share it); ``abstract`` the synopsis in the requested language with the site's fallback
  (English, then the other site languages; a shorts programme: each film's "Title: synopsis"); ``description`` plain
  text: "Sold out.", one line per film (title, original title, directors, year, runtime; a shorts programme adds each
  film's address), access, guests and the screening's note; ``url`` the (first) film's page in the requested language;
  ``persons`` the films' directors (``id``, ``public_name``, ``guid``, ``url``: the JSON schema's "frab person");
  ``links`` the ticket link while tickets are on sale (as in the calendars: not once sold out); ``attachments`` empty.
- **version**: a digest (16 hex digits) of the document itself, written with a placeholder where the version goes.
  It changes exactly when what the document says changes (a screening moved, added, cancelled or deleted, a title or a
  room renamed, by a form, a bulk action or an import alike), is the same whichever process renders it, and stays put
  while nothing in the document changes. (The page cache's publication version, ``films/cache.py``, would also change
  with every save anywhere on the site, and a local-memory cache keeps one per process.) Each document, XML or JSON,
  in each language, has its own. The top-level ``url`` is the document's own address with only ``?lang=``, so other
  query parameters change nothing in it.

Cancelled screenings are left out, as pretalx leaves out cancelled talks: the format has no status, an app would
show a cancelled screening as on, and apps that compare versions (EventFahrplan) report a vanished event as
cancelled. Screenings that start outside the edition's days (which the admin and the catalogue import refuse) are
left out too. Drafts never appear: only ``Screening.objects.published()`` (published screening in a published
edition, in no section or a published one, every film published: a shorts programme with a draft film is left out
whole), as in the JSON programme and on the pages. Award results are no part of the format, so nothing here is
under embargo.

``schedule_data`` reads the programme in six queries whatever its size (see ``_programme``), after the view's one for
the edition. The views in ``films/views/schedule.py`` serve the documents through the whole-page cache
(``films/cache.py``), like every ``/api/v1/`` document.

Both documents are built from plain rows and dicts (no model instances) and much of what events share is worded once:
the films of each screening (titles, directors, synopses, lines of description) once per distinct film or programme,
access lines once per combination, the site's own words once per document. Writing the XML (ElementTree) is about as
costly as reading and shaping the programme.
"""

import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass

from django.conf import settings
from django.http.request import split_domain_port
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from .access import guest_groups, guest_message, marker_codes, marker_labels, wheelchair_text
from .cache import ALL, kept, key, words_digest
from .models import Credit, Film, Screening, ScreeningFilm, ScreeningGuest, Section
from .public import film_title, language_codes, lean, translated, translated_columns
from .queries import GUEST_COLUMNS, PageQuery, UrlPattern

# (ElementTree only builds and writes the XML here; nothing is ever parsed with it: bandit's B405 is about parsing.)
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
GENERATOR = "festival"
EVENT_TYPE = "screening"
TIMESLOT_DURATION = "00:05"
# Stands for the version while a document is written: its digest is taken of the written text.
VERSION_PLACEHOLDER = "@version@"
# The slugs both schemas allow for a track or a room; a key that does not fit gives no slug.
SLUG = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]")
# Characters XML 1.0 cannot carry at all, not even escaped (control characters): dropped from the XML document.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

SCREENING_COLUMNS = (
    "id",
    "key",
    "starts_at",
    "ends_at",
    "status",
    "ticket_url",
    "section_id",
    "screen_id",
    "screen__key",
    "screen__name",
    "screen__order",
    "screen__capacity",
    "screen__venue__key",
    "screen__venue__name",
    "screen__step_free",
    "screen__wheelchair_spaces",
    # The screening's own access markers, in ``access.SCREENING_MARKERS``' order; then its note in each language.
    "audio_description",
    "captions",
    "sign_language",
    "relaxed",
)
FILM_COLUMNS = ("id", "key", "original_title", "original_title_latin", "year", "runtime_minutes", "spoken_languages")
# The XML event's elements that hold one value each, in the order they are written.
XML_EVENT_TEXT = ("room", "title", "subtitle", "type", "date", "start", "duration", "abstract", "slug", "track")


class UnknownLanguage(ValueError):
    """A ``?lang=`` that is not one of the site's languages; the message says so in the active language."""


def schedule_language(value):
    """The language code ``?lang=`` asks for: English (the default language) when it is missing or empty."""
    if not value:
        return settings.LANGUAGE_CODE
    if value not in language_codes():
        raise UnknownLanguage(
            gettext("“%(code)s” is not a language of this site; choose one of %(codes)s.")
            % {"code": value[:20], "codes": ", ".join(language_codes())}
        )
    return value


def padded(text):
    """``text`` at least four characters long, ``_`` added on the left (no key holds ``_``, so keys stay apart)."""
    return text.rjust(4, "_")


def acronym(edition):
    return padded(edition.key.replace("-", "_"))


def hh_mm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Reading the programme ------------------------------------------------------------------------------------------


_sections = PageQuery(
    lambda edition: (
        lean(Section.objects.filter(edition=edition, published=True))
        .order_by("order", "key")
        .values("id", "key", *translated_columns("name"))
    ),
)
_screenings = PageQuery(
    lambda edition: (
        lean(Screening.objects.published().filter(edition=edition).exclude(status=Screening.Status.CANCELLED))
        .order_by("starts_at", "key")
        .values_list(*SCREENING_COLUMNS, *translated_columns("note"))
    ),
)
_screening_films = PageQuery(
    lambda edition: (
        ScreeningFilm.objects.filter(screening__edition=edition)
        .order_by("screening_id", "order", "id")
        .values_list("screening_id", "film_id")
    ),
)
_films_shown = PageQuery(
    lambda edition: (
        lean(Film.objects.filter(published=True, pk__in=_shown(edition)))
        .order_by()
        .values(*FILM_COLUMNS, *translated_columns("title"), *translated_columns("synopsis"))
    ),
)
_directors = PageQuery(
    lambda edition: (
        Credit.objects.filter(role=Credit.Role.DIRECTOR, film__in=_shown(edition))
        .order_by("film_id", "order", "id")
        .values_list("film_id", "person_id", "person__key", "person__name")
    ),
)
_guests = PageQuery(
    lambda edition: (
        ScreeningGuest.objects.filter(screening__edition=edition)
        .order_by("screening_id", "order", "id")
        .values_list(*GUEST_COLUMNS)
    ),
)
PROGRAMME_QUERIES = (_sections, _screenings, _screening_films, _films_shown, _directors, _guests)


def _shown(edition):
    return ScreeningFilm.objects.filter(screening__edition=edition).values("film_id")


def _programme(edition):
    """The rows the schedule is made of, in six queries (``PageQuery``): the edition's published sections; its
    published screenings that are not cancelled, with screen and venue; which films each screening of the edition
    shows; those films; their directors; the screenings' guests. Films, directors and guests are read for all the
    edition's screenings and used for the published ones only (cheaper than repeating the publication rules in each
    query)."""
    return [query(edition.pk) for query in PROGRAMME_QUERIES]


class _Site:
    """Absolute addresses of the public pages in the active language, and stable UUIDs, for one request."""

    def __init__(self, request):
        host, _port = split_domain_port(request.get_host())
        self.host = host or "localhost"
        self.origin = request.build_absolute_uri("/").rstrip("/")
        self.namespace = uuid.NAMESPACE_URL.bytes + f"festival:{self.host}/".encode()
        self.film = UrlPattern("film", film=None)
        self.person = UrlPattern("person", person=None)
        self.venue = UrlPattern("venue", venue=None)
        self.programme = UrlPattern("programme", edition=None)

    def url(self, pattern, key):
        return self.origin + pattern(key)

    def guid(self, *parts):
        """``uuid.uuid5(uuid.NAMESPACE_URL, "festival:<host>/<part>/<part>...")``, written out (a third of the cost)."""
        digest = bytearray(hashlib.sha1(self.namespace + "/".join(parts).encode()).digest()[:16])  # noqa: S324
        digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
        digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
        text = digest.hex()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def minutes_text(minutes):
    return ngettext("%(minutes)s min", "%(minutes)s min", minutes) % {"minutes": minutes}


class _Words:
    """The words the documents add, in the active language: each translated once per document, not once per event."""

    def __init__(self):
        self.online = gettext("Online")
        self.sold_out = gettext("Sold out.")
        self.tickets = gettext("Tickets")
        self.accessibility = gettext("Accessibility: %(markers)s")
        self.markers = marker_labels()
        self.guests = {kind: guest_message(kind) for kind in ("intro", "qa", "both")}
        self.counted = {}

    def count(self, function, number):
        if (function, number) not in self.counted:
            self.counted[function, number] = function(number)
        return self.counted[function, number]

    def access(self, flags, step_free, wheelchair_spaces):
        """A screening's access as a line of text, or None (as ``access.access_texts`` words it): its markers,
        step-free access, wheelchair spaces. Screenings share a few combinations: each is worded once."""
        combination = (flags, step_free, wheelchair_spaces)
        if combination not in self.counted:
            texts = [self.markers[code] for code in marker_codes(flags, step_free)]
            if wheelchair_spaces:
                texts.append(wheelchair_text(wheelchair_spaces))
            self.counted[combination] = self.accessibility % {"markers": ", ".join(texts)} if texts else None
        return self.counted[combination]

    def guest_lines(self, guests):
        """One line per kind of attendance, as ``access.guest_lines``: "Q&A with Alisa Kovalenko"."""
        return [
            self.guests[kind] % {"names": ", ".join(guest["name"] for guest in group)}
            for kind, group in guest_groups(guests)
        ]

    def film_line(self, film):
        """One film as a line of text: title (original title) – directors, year, runtime."""
        line = film["title"]
        if film["original"] != film["title"]:
            line += f" ({film['original']})"
        details = []
        if film["directors"]:
            details.append(", ".join(person["public_name"] for person in film["directors"]))
        if film["year"]:
            details.append(str(film["year"]))
        if film["runtime"]:
            details.append(self.count(minutes_text, film["runtime"]))
        if details:
            line += " – " + ", ".join(details)
        return line


def _films(film_rows, director_rows, site, language, words):
    """``{film id: film}``, each film a dict of what the events say of it, in ``language``."""
    directors = {}
    for film_id, person_id, person_key, name in director_rows:
        directors.setdefault(film_id, []).append(
            {
                "id": person_id,
                "guid": site.guid("person", person_key),
                "public_name": name,
                "url": site.url(site.person, person_key),
            }
        )
    films = {}
    for row in film_rows:
        title = film_title(row, language).text
        film = films[row["id"]] = {
            "title": title,
            "original": row["original_title"] or title,
            "year": row["year"],
            "runtime": row["runtime_minutes"],
            "language": row["spoken_languages"][0] if row["spoken_languages"] else None,
            "synopsis": translated(row, "synopsis", language).text,
            "url": site.url(site.film, row["key"]),
            "directors": directors.get(row["id"], []),
        }
        film["line"] = words.film_line(film)
    return films


def _show(films):
    """What an event says of the films it shows (one, or a shorts programme's in running order): shared by all the
    screenings of the same films."""
    title = " / ".join(film["title"] for film in films)
    original = " / ".join(film["original"] for film in films)
    spoken = {film["language"] for film in films}
    persons = []
    for film in films:
        persons += [person for person in film["directors"] if person not in persons]
    if len(films) > 1:
        abstract = "\n\n".join(f"{film['title']}: {film['synopsis']}" for film in films if film["synopsis"])
        lines = [f"{film['line']}\n{film['url']}" for film in films]
    else:
        abstract = films[0]["synopsis"]
        lines = [films[0]["line"]]
    return {
        "title": title,
        "subtitle": original if original != title else None,
        "language": spoken.pop() if len(spoken) == 1 else None,
        "abstract": abstract,
        "lines": lines,
        "persons": persons,
        "url": films[0]["url"],
    }


@dataclass
class Room:
    key: str  # the screen's key, "" for Online
    name: str
    guid: str
    capacity: int | None
    url: str | None
    order: tuple

    def as_json(self):
        room = {"name": self.name, "guid": self.guid}
        if self.key and SLUG.fullmatch(self.key):
            room["slug"] = self.key
        if not self.key:
            room["type"] = "online"
        if self.capacity is not None:
            room["capacity"] = self.capacity
        if self.url:
            room["url"] = self.url
        return room


# The structure both documents are written from ------------------------------------------------------------------


def schedule_data(request, edition, language, rows=None):
    """The ``schedule`` object of the JSON document (``version``, ``base_url``, ``conference``) in ``language``.

    Call it with ``language`` active (``translation.override``): the words it adds ("Online", "Sold out.") are
    translated, and the URLs are those of the pages in that language. Six queries.
    """
    tz = edition.tzinfo
    site = _Site(request)
    words = _Words()
    section_rows, screening_rows, screening_film_rows, film_rows, director_rows, guest_rows = rows or _programme(
        edition
    )
    sections = {row["id"]: (row["key"], translated(row, "name", language).text) for row in section_rows}
    films = _films(film_rows, director_rows, site, language, words)
    films_of = {}
    for screening_id, film_id in screening_film_rows:
        films_of.setdefault(screening_id, []).append(film_id)
    shows = {}  # film ids in running order → _show()
    guests = {}
    for screening_id, intro, qa, _person_key, name in guest_rows:
        guests.setdefault(screening_id, []).append({"intro": intro, "qa": qa, "name": name})

    days = {day: [] for day in edition.days()}
    rooms = {}  # screen id (None: online) → Room
    used_sections = set()
    programme_url = site.url(site.programme, edition.key)
    prefix = acronym(edition)
    note_columns = translated_columns("note")
    scheduled, sold_out = Screening.Status.SCHEDULED, Screening.Status.SOLD_OUT
    for row in screening_rows:
        (pk, key, starts_at, ends_at, status, ticket_url, section_id, screen_id, *screen, step_free, spaces) = row[:16]
        flags, notes = row[16:20], row[20:]
        start = starts_at.astimezone(tz)
        day = days.get(start.date())
        if day is None:
            continue
        shown = tuple(films_of.get(pk, ()))
        show = shows.get(shown)
        if show is None:
            if not all(film_id in films for film_id in shown):
                continue  # a draft film: ``published()`` has left the screening out already; this is a safeguard
            show = shows[shown] = (
                _show([films[film_id] for film_id in shown])
                if shown
                else {"title": key, "subtitle": None, "language": None, "abstract": "", "lines": [], "persons": []}
            )
        room = rooms.get(screen_id)
        if room is None:
            room = rooms[screen_id] = _room(screen_id, screen, site, edition, words)
        section = sections.get(section_id)
        if section is not None:
            used_sections.add(section_id)

        lines = [words.sold_out, *show["lines"]] if status == sold_out else [*show["lines"]]
        access = words.access(flags, step_free, spaces)
        if access:
            lines.append(access)
        if pk in guests:
            lines += words.guest_lines(guests[pk])
        if any(notes):
            lines.append(translated(dict(zip(note_columns, notes, strict=True)), "note", language).text)
        start = start.replace(microsecond=0)
        day.append(
            (
                room,
                {
                    "guid": site.guid(edition.key, key),
                    "id": pk,
                    "date": start.isoformat(),
                    "start": f"{start.hour:02d}:{start.minute:02d}",
                    "end": ends_at.astimezone(tz).replace(microsecond=0).isoformat(),
                    "duration": hh_mm(round((ends_at - starts_at).total_seconds() / 60)),
                    "room": room.name,
                    "slug": f"{prefix}-{padded(key)}",
                    "url": show.get("url", programme_url),
                    "title": show["title"],
                    "subtitle": show["subtitle"],
                    "track": section[1] if section else None,
                    "type": EVENT_TYPE,
                    "language": show["language"],
                    "abstract": show["abstract"],
                    "description": "\n".join(lines),
                    "persons": show["persons"],
                    "links": (
                        [{"type": "web", "url": ticket_url, "title": words.tickets}]
                        if ticket_url and status == scheduled
                        else []
                    ),
                    "attachments": [],
                },
            )
        )

    ordered = sorted(rooms.values(), key=lambda room: room.order)
    taken = set()
    for room in ordered:
        if room.name in taken:  # two screens of one name in one venue: told apart by their keys
            room.name = f"{room.name} ({room.key})"
        taken.add(room.name)
    position = {id(room): index for index, room in enumerate(ordered)}
    conference = {
        "acronym": prefix,
        "title": translated(edition, "name", language).text or edition.key,
        "start": edition.start_date.isoformat(),
        "end": edition.end_date.isoformat(),
        "daysCount": len(days),
        "timeslot_duration": TIMESLOT_DURATION,
        "time_zone_name": edition.timezone,
        "url": programme_url,
        "tracks": [
            {"name": name, **({"slug": key} if SLUG.fullmatch(key) else {})}
            for section_id, (key, name) in sections.items()
            if section_id in used_sections
        ],
        "rooms": [room.as_json() for room in ordered],
        "days": [],
    }
    for index, (day, events) in enumerate(days.items(), start=1):
        day_start, day_end = edition.day_bounds(day)
        by_room = {}
        for room, event in sorted(events, key=lambda item: position[id(item[0])]):
            event["room"] = room.name  # as told apart above
            by_room.setdefault(room.name, []).append(event)
        conference["days"].append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": day_start.isoformat(),
                "day_end": day_end.isoformat(),
                "rooms": by_room,
            }
        )
    return {"base_url": site.origin + "/", "conference": conference}


def _room(screen_id, screen, site, edition, words):
    """A screen's room ("Online" without one): name, guid, capacity, the venue's page, its place in the order."""
    if screen_id is None:
        return Room("", words.online, site.guid("online", edition.key), None, None, (1,))
    key, name, order, capacity, venue_key, venue = screen
    return Room(
        key,
        name if name == venue else f"{venue} – {name}",
        site.guid("screen", key),
        capacity,
        site.url(site.venue, venue_key),
        (0, venue, venue_key, order, name, key),
    )


# The two documents ----------------------------------------------------------------------------------------------


def _address(request, language):
    """The document's own address, with its language: the same whatever else the query string held."""
    return request.build_absolute_uri(f"{request.path}?{urlencode({'lang': language})}")


def _with_version(text):
    """``text`` with its version, a digest of the text itself, in place of ``VERSION_PLACEHOLDER`` (whose first
    occurrence is the version's: it comes before anything taken from the programme)."""
    version = hashlib.sha256(text.encode()).hexdigest()[:16]
    return text.replace(VERSION_PLACEHOLDER, version, 1)


# Documents built, kept while what they show is unchanged (``films.cache.kept``: until a change to the edition, or
# anything shown across editions, is invalidated), by the address asked for, the language and its translations. Bump
# the number when the code changes what it writes.
DOCUMENT_FORMAT = 2


def _document(kind, build, request, edition, language):
    """The ``kind`` document, kept while the edition is unchanged (``films.cache.kept``), else built by ``build``."""
    name = f"schedule|{DOCUMENT_FORMAT}|{kind}|{language}|{words_digest(language)}|{request.build_absolute_uri()}"
    return kept(name, (ALL, key("edition", edition.key)), lambda: build(request, edition, language))


def schedule_json(request, edition, language):
    """The JSON document (c3voc ``schema.json``), as UTF-8 bytes: built by ``build_json`` or kept (``_document``)."""
    return _document("json", build_json, request, edition, language)


def schedule_xml(request, edition, language):
    """The XML document (c3voc ``schedule.xml.xsd``), as UTF-8 bytes: built by ``build_xml`` or kept."""
    return _document("xml", build_xml, request, edition, language)


def build_json(request, edition, language, rows=None):
    """The JSON document (c3voc ``schema.json``: ``$schema``, ``generator`` and ``schedule``) as UTF-8 bytes."""
    with translation.override(language):
        data = schedule_data(request, edition, language, rows)
    document = {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {"version": VERSION_PLACEHOLDER, "url": _address(request, language), **data},
    }
    return _with_version(json.dumps(document, ensure_ascii=False)).encode()


def build_xml(request, edition, language, rows=None):
    """The XML document (c3voc ``schedule.xml.xsd``) as UTF-8 bytes with its declaration.

    Built with ElementTree, which escapes every text and attribute value; characters that XML cannot carry at all
    (control characters) are then dropped. A value the JSON gives as ``null`` is an element left out here
    (``subtitle``, ``language``), except ``track``, which the XSD requires: it is empty. The JSON's ``end`` has no
    element in the XSD; ``duration`` says the same.
    """
    with translation.override(language):
        data = schedule_data(request, edition, language, rows)
    conference = data["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    ET.SubElement(root, "url").text = _address(request, language)
    ET.SubElement(root, "version").text = VERSION_PLACEHOLDER
    head = ET.SubElement(root, "conference")
    for tag, value in (
        ("title", conference["title"]),
        ("acronym", conference["acronym"]),
        ("start", conference["start"]),
        ("end", conference["end"]),
        ("days", str(conference["daysCount"])),
        ("timeslot_duration", conference["timeslot_duration"]),
        ("base_url", data["base_url"]),
        ("url", conference["url"]),
        ("time_zone_name", conference["time_zone_name"]),
    ):
        ET.SubElement(head, tag).text = value
    for track in conference["tracks"]:
        ET.SubElement(head, "track", track)
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    sub = ET.SubElement
    for day in conference["days"]:
        attributes = {"index": str(day["index"]), "date": day["date"], "start": day["day_start"], "end": day["day_end"]}
        day_element = sub(root, "day", attributes)
        for name, events in day["rooms"].items():
            room = sub(day_element, "room", {"name": name, "guid": guids[name]})
            for event in events:
                element = sub(room, "event", {"guid": event["guid"], "id": str(event["id"])})
                for tag in XML_EVENT_TEXT:
                    if event[tag] is not None or tag == "track":
                        sub(element, tag).text = event[tag]
                persons = sub(element, "persons")
                for person in event["persons"]:
                    sub(persons, "person", {"id": str(person["id"]), "guid": person["guid"]}).text = person[
                        "public_name"
                    ]
                if event["language"] is not None:
                    sub(element, "language").text = event["language"]
                sub(element, "description").text = event["description"]
                links = sub(element, "links")
                for link in event["links"]:
                    sub(links, "link", {"href": link["url"], "type": link["type"]}).text = link["title"]
                sub(element, "attachments")
                sub(element, "url").text = event["url"]
    text = NOT_XML.sub("", XML_DECLARATION + ET.tostring(root, encoding="unicode"))
    return _with_version(text).encode()
