"""iCalendar (.ics) export of screenings: one screening, a filtered programme, a personal programme.

Times are written in the edition's own time zone (``DTSTART;TZID=Europe/Amsterdam``) and the
calendar carries the matching ``VTIMEZONE``, so calendar apps show the local time of the festival
whatever zone the visitor's device is in. Summaries are in the page's (the URL's) language.

Made fast enough for a programme of a thousand screenings and more (#13):

- What a calendar shows is read as plain rows (``calendar_rows``), in six queries however many screenings it holds.
- icalendar makes and serializes each event (``screening_event``), and the event's bytes are kept in Django's cache
  under a key made from everything the event shows (``fragment_key``: a hash of its property values, the language
  and the host); each process keeps a copy of those it made or read lately (``local_fragments``). A calendar
  looks the others up with one ``get_many`` and has icalendar make only those it misses: a moved screening or a
  renamed film re-renders its own events and nothing else, and the programme, a section's calendar and a personal
  programme share their events' bytes.
- icalendar also makes the calendar around them (``calendar_frame``: its properties and the ``VTIMEZONE`` that
  ``add_missing_timezones()`` gives), and ``with_events`` puts the events' bytes into it.

For an event's bytes to be kept at all, they must not depend on the moment the calendar is made: an event's
DTSTAMP is the last save of what it shows (``event_stamp``), not the time of the download.
"""

import datetime
import functools
import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from typing import NamedTuple

import icalendar
from django.core import signing
from django.core.cache import cache
from django.db.models import CharField, Count
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from modeltranslation.utils import build_localized_fieldname
from reversion.models import Version

from .access import SCREENING_MARKERS, guest_kind, guest_message, marker_codes, marker_labels, wheelchair_text
from .models import Edition, Screen, Screening, ScreeningFilm, ScreeningGuest, Section
from .models.versioned import FIRST_CLOCK_VERSION, saved_at
from .public import (
    fallback_order,
    lean,
    title_columns,
    title_reader,
    translated_columns,
)
from .queries import UrlPattern

PRODID = "-//festival//programme export//EN"
MAX_PERSONAL_SCREENINGS = 200
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BadKeyList(ValueError):
    """A ``?s=`` list that is not a comma-separated list of screening keys; the message says what is wrong."""


def parse_screening_keys(value):
    """The screening keys in ``?s=key1,key2`` in order, duplicates dropped; raise ``BadKeyList`` naming a bad one."""
    keys = []
    for item in (value or "").split(","):
        key = item.strip()
        if not key:
            continue
        if not _KEY.match(key) or len(key) > 100:
            raise BadKeyList(
                _("“%(key)s” is not a screening key (lower-case letters, digits and single hyphens).")
                % {"key": key[:100]}
            )
        if key not in keys:
            keys.append(key)
    if len(keys) > MAX_PERSONAL_SCREENINGS:
        raise BadKeyList(
            _("A personal programme holds at most %(max)s screenings; this one lists %(count)s.")
            % {"max": MAX_PERSONAL_SCREENINGS, "count": len(keys)}
        )
    return keys


# A personal programme's calendar subscription: its address carries the selection, signed, with a random part of
# its own, so no two visitors' addresses are alike and none can be guessed or altered; nothing is stored.
SUBSCRIPTION_SALT = "festival.calendar.personal-subscription"


def subscription_token(keys):
    """An unguessable token for a subscription to the screenings ``keys`` (see ``subscription_keys``), compressed:
    a festival-goer's list of keys repeats itself, and the address stays short enough to copy."""
    payload = {"s": ",".join(keys)}
    payload["n"] = secrets.token_urlsafe(9)  # pragma: no mutate - a nonce: its name and length only make it unique
    return signing.dumps(payload, salt=SUBSCRIPTION_SALT, compress=True)


def subscription_keys(token):
    """The screening keys a ``subscription_token`` holds; ``None`` for a token this site did not make."""
    try:
        data = signing.loads(token, salt=SUBSCRIPTION_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        return None
    return parse_screening_keys(data["s"])


# A film's address, for the structured data ------------------------------------------------------------------------


def film_url(request, film):
    """The absolute URL of ``film``'s page in the active language."""
    return request.build_absolute_uri(reverse("film", kwargs={"film": film.key}))


# What a calendar shows, read as rows ----------------------------------------------------------------------------

# A screening's columns a calendar reads (``calendar_rows``); its note's language columns follow.
SCREENING_COLUMNS = (
    "id",
    "key",
    "starts_at",
    "ends_at",
    "status",
    "ticket_url",
    "version",
    "screen_id",
    "section_id",
    # The screening's own access markers, in ``access.SCREENING_MARKERS``' order.
    *(field for _code, field in SCREENING_MARKERS),
)
# Up to this many screenings, a calendar reads the films, guests and history of its screenings by their ids; a
# larger one reads those of the whole edition, which costs the database less than so many ids.
SMALL_CALENDAR = MAX_PERSONAL_SCREENINGS


class CalendarRows(NamedTuple):
    """What a calendar of one edition's screenings shows, as rows (``calendar_rows``)."""

    edition: Edition
    screenings: list  # rows of SCREENING_COLUMNS and the note's language columns, in the calendar's order
    screens: dict  # {screen id: (location, step-free, wheelchair spaces)}
    sections: dict  # {section id: (name in the active language, version)}
    films: dict  # {screening id: [(title in the active language, key, version), ...] in running order}
    guests: dict  # {screening id: [(name, intro, qa), ...] in the programme's order}
    saves: dict  # {screening id: how many of its saves the history keeps}


def calendar_rows(edition, screenings):
    """What a calendar of ``screenings`` shows: ``screenings`` is a queryset of ``edition``'s published screenings
    (``Screening.objects.published()``) in the calendar's order.

    Six queries however many screenings there are (one when there is none): the screenings, their screens with
    their venues, their sections, the films in running order, the guests, the saves kept in the history.
    """
    rows = list(lean(screenings).values_list(*SCREENING_COLUMNS, *translated_columns("note")))
    if not rows:
        return CalendarRows(edition, [], {}, {}, {}, {}, {})  # pragma: no mutate - no screening reads them
    ids = [row[0] for row in rows]
    if len(ids) <= SMALL_CALENDAR:  # pragma: no mutate - either reading gives the same rows; this one is faster
        of_screenings = {"screening_id__in": ids}
        object_ids = [str(pk) for pk in ids]
    else:
        of_screenings = {"screening__edition": edition}
        object_ids = Screening.objects.filter(edition=edition).annotate(text_id=Cast("pk", CharField()))
        object_ids = object_ids.values("text_id")
    screens = {}
    for screen_id, *values in Screen.objects.filter(id__in={row[7] for row in rows} - {None}).values_list(
        "id", "venue__name", "name", "venue__address", "venue__city", "step_free", "wheelchair_spaces"
    ):
        parts = []
        for part in values[:4]:  # the venue, the screen, the address, the city, without repeats
            if part and part not in parts:
                parts.append(part)
        screens[screen_id] = (", ".join(parts), values[4], values[5] or 0)
    sections = {}
    name = text_reader("name", translated_columns("name"))
    for section_id, version, *names in lean(
        Section.objects.filter(id__in={row[8] for row in rows} - {None})
    ).values_list("id", "version", *translated_columns("name")):
        sections[section_id] = (name(names), version)
    films = {}
    titles = title_reader()
    film_rows = (
        lean(ScreeningFilm.objects.filter(**of_screenings))
        .order_by("order", "id")  # (grouped by screening below)
        .values_list("screening_id", "film__version", *title_columns("film__"))
    )
    for screening_id, version, *title in film_rows:
        films.setdefault(screening_id, []).append((titles(title), title[-1], version))  # the last column is the key
    guests = {}
    guest_rows = (
        ScreeningGuest.objects.filter(**of_screenings)
        .order_by("order", "id")  # (grouped by screening below)
        .values_list("screening_id", "intro", "qa", "person__name")
    )
    for screening_id, intro, qa, person in guest_rows:
        guests.setdefault(screening_id, []).append((person, intro, qa))
    saves = (
        Version.objects.get_for_model(Screening)
        .filter(object_id__in=object_ids)
        .values("object_id")
        .annotate(saves=Count("pk"))
        .values_list("object_id", "saves")
    )
    return CalendarRows(edition, rows, screens, sections, films, guests, {int(pk): count for pk, count in saves})


def text_reader(field, columns):
    """A function from the values of ``columns`` (``translated_columns(field)``), in order, to the text of ``field``
    as ``public.translated`` chooses it: the page's language, then the default, then the others."""
    order = [columns.index(build_localized_fieldname(field, code)) for code in fallback_order()]

    def read(values):
        for index in order:
            if values[index]:
                return values[index]
        return ""

    return read


# What an event shows ----------------------------------------------------------------------------------------------

# The DTSTAMP of an event none of whose records was ever saved through the model (a bulk import), in an edition that
# was not either: a fixed moment, when versions began to be read from the clock (2020-01-01 UTC).
NEVER_SAVED = saved_at(FIRST_CLOCK_VERSION)


def event_stamp(version, edition_version):
    """An event's DTSTAMP from the latest ``version`` of its screening and of the films and section it shows: when
    the last of them was saved. It stays the same however often the calendar is made (so the event's bytes can be
    kept), and is later after every move, cancellation or change of a title.

    An event whose records were never saved through the model (bulk-imported: version 0) takes its edition's last
    save instead, else ``NEVER_SAVED``.
    """
    return saved_at(version) or saved_at(edition_version) or NEVER_SAVED


class EventContent(NamedTuple):
    """The property values of a screening's ``VEVENT``: all it shows, from which ``screening_event`` makes it."""

    uid: str
    stamp: datetime.datetime
    start: datetime.datetime  # in the edition's time zone
    end: datetime.datetime
    summary: str
    location: str
    description: str
    url: str  # the first film's page; "" for none
    status: str
    sequence: int
    modified: datetime.datetime | None  # the screening's last save; None for never
    category: str | None  # the section's name; None for none


def event_contents(data, request):
    """The ``EventContent`` of each screening of ``data`` (``calendar_rows``), in order, texts in the active
    language.

    UIDs stay the same across exports (edition, screening and host), so a re-imported or subscribed calendar
    updates its events; SEQUENCE counts the screening's saves kept in its history and LAST-MODIFIED is its last
    save, so a moved or cancelled screening updates the same event.
    """
    edition = data.edition
    zone = edition.tzinfo
    host, _port = split_domain_port(request.get_host())
    uid_suffix = f"@{host}"  # (Django has refused a request without a valid host before it gets here.)
    film_page = UrlPattern("film", film=None)
    film_prefix = request.build_absolute_uri(film_page.prefix)  # as build_absolute_uri() of each film's path
    film_suffix = film_page.suffix
    cancelled, sold_out, scheduled = Screening.Status.CANCELLED, Screening.Status.SOLD_OUT, Screening.Status.SCHEDULED
    cancelled_line, sold_out_line, online = _("This screening is cancelled."), _("Sold out."), _("Online")
    tickets_line = _("Tickets: %(url)s")
    guest_messages = {kind: guest_message(kind) for kind in ("intro", "qa", "both")}
    note = text_reader("note", translated_columns("note"))
    markers = len(SCREENING_COLUMNS) - 9  # the marker columns, after section_id
    # Worked out once per film, per screen and markers, per save: many screenings share them.
    film_texts = {}  # {film key: (url, description line)}
    access_lines = {}  # {(screen id, *markers): the accessibility line (``access_line``) or ""}
    stamps = {}  # {latest version: DTSTAMP}
    for (
        screening_id,
        key,
        starts_at,
        ends_at,
        status,
        ticket_url,
        version,
        screen_id,
        section_id,
        *rest,
    ) in data.screenings:
        lines = []
        if status == cancelled:
            lines.append(cancelled_line)
        elif status == sold_out:
            lines.append(sold_out_line)
        titles, urls = [], []
        last = max(version, data.sections[section_id][1]) if section_id is not None else version
        for title, film, saved in data.films.get(screening_id, ()):
            if film not in film_texts:
                url = f"{film_prefix}{film}{film_suffix}"
                film_texts[film] = (url, f"{title}: {url}")
            url, line = film_texts[film]
            titles.append(title)
            urls.append(url)
            lines.append(line)
            last = max(last, saved)
        access = (screen_id, *rest[:markers])
        if access not in access_lines:
            access_lines[access] = access_line(data.screens.get(screen_id), rest[:markers])
        if access_lines[access]:
            lines.append(access_lines[access])
        if screening_id in data.guests:
            groups = {}  # as access.guest_lines, with the messages translated once
            for person, intro, qa in data.guests[screening_id]:
                groups.setdefault(guest_kind(intro, qa), []).append(person)
            lines.extend(guest_messages[kind] % {"names": ", ".join(names)} for kind, names in groups.items())
        text = note(rest[markers:])
        if text:
            lines.append(text)
        if ticket_url and status == scheduled:
            lines.append(tickets_line % {"url": ticket_url})
        if last not in stamps:
            stamps[last] = event_stamp(last, edition.version)
        yield EventContent(
            f"{edition.key}-{key}{uid_suffix}",
            stamps[last],
            starts_at.astimezone(zone),
            ends_at.astimezone(zone),
            " / ".join(titles),
            data.screens[screen_id][0] if screen_id is not None else online,
            "\n".join(lines),
            urls[0] if urls else "",
            "CANCELLED" if status == cancelled else "CONFIRMED",
            data.saves.get(screening_id, 0),
            saved_at(version),
            data.sections[section_id][0] if section_id is not None else None,
        )


def access_line(screen, flags):
    """The description's line on access: the screening's markers (``flags``, in ``access.SCREENING_MARKERS``' order),
    its ``screen``'s step-free access and wheelchair spaces (as ``CalendarRows.screens`` has it; None online); "" for
    none of them, in the active language."""
    step_free, spaces = screen[1:] if screen else (False, 0)
    labels = marker_labels()
    texts = [labels[code] for code in marker_codes(flags, step_free)]
    if spaces:
        texts.append(wheelchair_text(spaces))
    return _("Accessibility: %(markers)s") % {"markers": ", ".join(texts)} if texts else ""


def screening_event(content):
    """The ``VEVENT`` of an ``EventContent``, made by icalendar."""
    event = Event()
    # (icalendar writes a property's name in upper case whatever case it is given: the names are not mutated.)
    event.add("uid", content.uid)  # pragma: no mutate
    event.add("dtstamp", content.stamp)  # pragma: no mutate
    event.add("dtstart", content.start)  # pragma: no mutate
    event.add("dtend", content.end)  # pragma: no mutate
    event.add("summary", content.summary)  # pragma: no mutate
    event.add("location", content.location)  # pragma: no mutate
    event.add("description", content.description)  # pragma: no mutate
    if content.url:
        event.add("url", content.url)  # pragma: no mutate
    event.add("status", content.status)  # pragma: no mutate
    event.add("sequence", content.sequence)  # pragma: no mutate
    if content.modified is not None:
        event.add("last-modified", content.modified)  # pragma: no mutate
    if content.category is not None:
        event.add("categories", [content.category])  # pragma: no mutate
    return event


# Events' bytes, kept ----------------------------------------------------------------------------------------------

# Part of every key: raise the number when ``screening_event`` changes what it writes for the same content, so that
# bytes kept by an earlier release are never read back. icalendar's version is part of the key too.
FRAGMENT_PREFIX = "festival:ics:1"
# Kept a week since last made: content-keyed entries are never stale, only unused (a changed event gets a new key).
FRAGMENT_SECONDS = 7 * 24 * 60 * 60
# What each process keeps of them itself (``LocalFragments``), in bytes: a Berlinale-sized programme is some 0.6 MB
# per language.
LOCAL_FRAGMENT_BYTES = 16 * 1024 * 1024


def fragment_key(content):
    """The cache key of an event's bytes: a hash of all it shows (``content``: its texts are in the page's language,
    its UID and links name the host), and of the icalendar that writes them."""
    material = repr((icalendar.__version__, tuple(content)))
    digest = hashlib.blake2b(material.encode(), digest_size=16)  # pragma: no mutate - any size tells them apart
    return f"{FRAGMENT_PREFIX}:{digest.hexdigest()}"


class LocalFragments:
    """This process's copy of the events' bytes it made or read lately, least recently used dropped first once they
    pass ``limit`` bytes.

    A key names what its event shows, so a copy is never stale and needs no expiry: the shared cache is asked only
    for the events not here, which spares a large calendar most of its reading (and a cache in local memory, which
    Django caps at 300 entries, its churn).
    """

    def __init__(self, limit):
        self.limit = limit
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get_many(self, keys):
        found = {}
        with self.lock:
            for key in keys:
                fragment = self.entries.get(key)
                if fragment is not None:
                    self.entries.move_to_end(key)
                    found[key] = fragment
        return found

    def put_many(self, fragments):
        with self.lock:
            for key, fragment in fragments.items():
                if key not in self.entries:
                    self.entries[key] = fragment
                    self.size += len(fragment)
            while self.size > self.limit:
                dropped = self.entries.pop(next(iter(self.entries)))  # the least recently used
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


local_fragments = LocalFragments(LOCAL_FRAGMENT_BYTES)


def event_fragments(contents):
    """The serialized ``VEVENT`` of each of ``contents``, in order: from this process's copy, else from the cache
    (one ``get_many``), else made by icalendar (``screening_event``) and kept in both (one ``set_many``)."""
    keys = [fragment_key(content) for content in contents]
    found = local_fragments.get_many(keys)
    wanted = [key for key in keys if key not in found]
    if wanted:
        shared = cache.get_many(wanted)
        local_fragments.put_many(shared)
        found.update(shared)
    made = {}
    fragments = []
    for key, content in zip(keys, contents, strict=True):  # pragma: no mutate - a key for each
        fragment = found.get(key)  # (Each screening's event is unlike any other's: its UID names it.)
        if fragment is None:
            fragment = made[key] = screening_event(content).to_ical()
        fragments.append(fragment)
    if made:
        cache.set_many(made, FRAGMENT_SECONDS)  # pragma: no mutate - how long they are kept: no test waits
        local_fragments.put_many(made)
    return fragments


# The calendar -----------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=128)
def calendar_frame(name, zones):
    """The serialized ``VCALENDAR`` around a calendar's events, made by icalendar: its properties, then a
    ``VTIMEZONE`` for each of ``zones`` (the time zones the events' times are in) as ``add_missing_timezones()``
    makes it; no event (``with_events`` adds them).

    ``zones`` is a tuple. Kept per process: it depends on nothing else, and icalendar takes some 10 ms to work out
    a zone's transitions."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = name
    # add_missing_timezones() adds what the calendar's events use: a stand-in event per zone shows it which zones,
    # then goes again. (UTC gets none: its times are written with "Z".)
    for zone in zones:
        stand_in = Event()
        stand_in.add("dtstart", datetime.datetime(2000, 1, 1, tzinfo=zone))
        calendar.add_component(stand_in)
    calendar.add_missing_timezones()
    calendar.subcomponents = [component for component in calendar.subcomponents if component.name == "VTIMEZONE"]
    return calendar.to_ical()


CALENDAR_END = b"END:VCALENDAR\r\n"


def with_events(frame, events):
    """A serialized calendar ``frame`` (``Calendar.to_ical()``) with serialized ``events`` (each ``Event.to_ical()``,
    ``BEGIN:VEVENT`` to ``END:VEVENT`` and its line break) put in after its own components, before its last line.

    The result is what ``Calendar.to_ical()`` gives for the calendar with the events added at its end: icalendar
    writes a component's properties, then each subcomponent whole, then its ``END`` line.
    """
    if not frame.endswith(CALENDAR_END):
        raise ValueError("Not a serialized VCALENDAR: it does not end with END:VCALENDAR.")  # pragma: no mutate
    return b"".join((frame[: -len(CALENDAR_END)], *events, CALENDAR_END))


def calendar_bytes(data, request, *, name):
    """The ``.ics`` of the screenings of ``data`` (``calendar_rows``): one ``VEVENT`` each, and the ``VTIMEZONE``
    their times use, under the calendar name ``name``."""
    contents = list(event_contents(data, request))
    zones = tuple(dict.fromkeys(content.start.tzinfo for content in contents))
    fragments = event_fragments(contents)
    return with_events(calendar_frame(name, zones), fragments)


def calendar_response(data, request, *, name, filename):
    """The calendar of ``data`` (``calendar_rows``) as a download: ``text/calendar; charset=utf-8``, a file name."""
    response = HttpResponse(calendar_bytes(data, request, name=name), content_type="text/calendar; charset=utf-8")
    disposition = f'attachment; filename="{filename}"'
    response["Content-Disposition"] = disposition  # pragma: no mutate - a header's name ignores case
    return response


def subscription(request, path):
    """A calendar's address for a calendar app to subscribe to (and poll): ``webcal://`` and the same as
    ``https://`` (``http://`` where the site is served so), for apps that take only one of them."""
    address = request.build_absolute_uri(path)
    return {"webcal": "webcal://" + address.split("://", 1)[1], "web": address}
