"""Lean queries for the public pages, and the rows they render.

Rows are plain dicts with display strings precomputed in Python (times in the
edition's time zone, titles with their real language, URLs), so the templates do
little work per row and the query count does not grow with the number of rows.
"""

import datetime
import functools

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, CharField, Exists, F, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext

from .access import marker_codes
from .changelog import CANCELLED, recent_changes
from .codes import language_name
from .identity import section_class
from .models import Edition, FilmImage, Screening, ScreeningFilm, ScreeningGuest, Section, Selection
from .public import (
    lean,
    title_columns,
    title_reader,
    translated,
    translated_columns,
)


class PageQuery:
    """One of a page's queries, named once at module level: ``build(*arguments)`` returns its ``values()`` or
    ``values_list()`` queryset (with its ``select_related`` and columns), and calling the object runs it for one
    request's arguments and returns the rows as a list (dicts or tuples). Plain querysets, nothing compiled
    ahead: pages stay fast through lean columns and the whole-page cache (``films.cache``)."""

    def __init__(self, build):
        self.build = build

    def __call__(self, *arguments, using=DEFAULT_DB_ALIAS):
        return list(self.build(*arguments).using(using))


def current_edition():
    """The edition the site is about: the latest published one by first day, or None."""
    return Edition.objects.published().order_by("-start_date", "key").first()


nav_edition_query = PageQuery(
    lambda: (
        lean(Edition.objects.filter(published=True))
        .order_by("-start_date", "key")
        .values("key", *translated_columns("name"))[:1]
    )
)


def nav_edition():
    """What the header and navigation need of the current edition (key and names), as a dict, or None."""
    rows = nav_edition_query()
    return rows[0] if rows else None


def default_day(edition, now=None):
    """Today in the edition's time zone when it falls within the edition, else its first day."""
    today = timezone.localtime(now or timezone.now(), edition.tzinfo).date()
    return today if edition.start_date <= today <= edition.end_date else edition.start_date


def with_code(queryset, field, code):
    """Rows of ``queryset`` whose comma-separated code list ``field`` (a CodeListField) holds ``code``.

    The column is wrapped in commas and matched as text: the field's own ``get_prep_value``
    turns any string into a list, so plain ``startswith``/``contains`` lookups on it fail.
    """
    alias = f"{field.replace('__', '_')}_wrapped"  # pragma: no mutate - any name unused by the query serves
    wrapped = Concat(Value(","), F(field), Value(","), output_field=CharField())
    return queryset.alias(**{alias: wrapped}).filter(**{f"{alias}__contains": f",{code},"})


class UrlPattern:
    """Reverse a URL once and fill in keys by string concatenation: cheap per row."""

    MARK = "zzzkeyzzz"

    def __init__(self, name, **kwargs):
        self.name = name
        self.kwargs = kwargs
        self.fields = [field for field, value in kwargs.items() if value is None]
        values = {
            field: (value if value is not None else f"{self.MARK}{index}")
            for index, (field, value) in enumerate(kwargs.items())
        }
        self.pattern = reverse(name, kwargs=values)
        # The reversed URL cut at each placeholder, in the order of the keys ``__call__`` takes.
        self.parts = [self.pattern]
        for field in self.fields:
            mark = f"{self.MARK}{list(kwargs).index(field)}"
            head, _mark, tail = self.parts.pop().partition(mark)
            self.parts += [head, tail]
        if len(self.parts) == 2:
            self.prefix, self.suffix = self.parts

    def __call__(self, *keys):
        if len(self.parts) == 2:
            return f"{self.prefix}{keys[0]}{self.suffix}"
        url = self.parts[0]
        for key, part in zip(keys, self.parts[1:], strict=True):
            url += f"{key}{part}"
        return url


_sections = PageQuery(
    lambda edition: (
        lean(Section.objects.published().filter(edition=edition))
        .order_by("order", "key")
        .values("id", "key", "competitive", *translated_columns("name"), *translated_columns("description"))
    ),
)


def section_names(edition):
    """``{section id: {"key", "name" (Text)}}`` of the edition's published sections, in programme order."""
    sections = {}
    for row in _sections(edition.pk):
        sections[row["id"]] = {
            "id": row["id"],
            "key": row["key"],
            "competitive": row["competitive"],
            "name": translated(row, "name"),
            "description": translated(row, "description"),
        }
    return sections


SCREENING_COLUMNS = (
    "id",
    "key",
    "starts_at",
    "ends_at",
    "status",
    "audience",
    "subtitles",
    "ticket_url",
    "section_id",
    "screen_id",
    "screen__name",
    "screen__order",
    "screen__venue__key",
    "screen__venue__name",
    "version",
    # Access: the screening's own markers (in ``access.SCREENING_MARKERS``' order), then its screen's.
    "audio_description",
    "captions",
    "sign_language",
    "relaxed",
    "screen__step_free",
    "screen__wheelchair_spaces",
)


@functools.lru_cache(maxsize=8192)
def clock_text(language, pattern, hour, minute):
    """A time of day in ``pattern`` (a ``TIME_FORMAT``) and ``language``: formatted once per process."""
    return dateformat.time_format(datetime.time(hour, minute), pattern)


@functools.lru_cache(maxsize=4096)
def day_text(language, pattern, day):
    """A date in ``pattern`` (a ``DATE_FORMAT``) and ``language``: formatted once per process."""
    return dateformat.format(day, pattern)


def clock(moment):
    """``moment``'s time of day in the active language's ``TIME_FORMAT``."""
    pattern = get_format("TIME_FORMAT")
    # The language keys the cache, as a.m./p.m. are words of it (every pattern here is 24-hour: no test can tell).
    return clock_text(translation.get_language(), pattern, moment.hour, moment.minute)  # pragma: no mutate


def edition_screenings(edition):
    """The published screenings of a published ``edition``, for ``screening_rows``: a lean queryset.

    The other publication rules (published section, published films) cost a join and a subquery
    to compile; ``screening_rows`` applies them in Python from what it reads anyway.
    """
    return Screening.objects.filter(edition=edition, published=True)


def film_columns():
    """The columns of a screening's films ``screening_rows`` reads, one row per film and selection of it.

    The premiere is the selection in the screening's own section. A LEFT JOIN compiles and runs
    cheaper than a correlated subquery.
    """
    return (
        "id",
        "screening_id",
        "film__published",
        *title_columns("film__"),
        "film__selections__section_id",
        "film__selections__premiere",
    )


def card_image(film="pk"):
    """The renditions of the image a film's card shows (its first poster, else its first still) as JSON text, or
    None: a subquery of the rows of an outer query whose film's id is ``film``, for ``annotate()``.

    Pages list films with their cards' images at no query of their own: ``films.images.card_picture`` makes what
    the ``picture`` macro writes from its value (text, not decoded here: it is kept by it).
    """
    poster_first = Case(When(kind=FilmImage.Kind.POSTER, then=Value(0)), default=Value(1))
    return Subquery(
        FilmImage.objects.filter(film=OuterRef(film), renditions__isnull=False)
        .order_by(poster_first, "order", "id")
        .values("renditions")[:1],
        output_field=TextField(),
    )


# The columns of a screening's guests ``screening_rows`` reads, one row per guest in the programme's order.
GUEST_COLUMNS = ("screening_id", "intro", "qa", "person__key", "person__name")


def guests_by_screening(guest_rows):
    """``{screening id: [{"name", "key", "url", "intro", "qa"}, ...]}`` from rows of ``GUEST_COLUMNS``."""
    person_url = UrlPattern("person", person=None)
    guests = {}
    for screening_id, intro, qa, person_key, name in guest_rows:
        guests.setdefault(screening_id, []).append(
            {"name": name, "key": person_key, "url": person_url(person_key), "intro": intro, "qa": qa}
        )
    return guests


def screening_rows(queryset, edition, sections):
    """Display rows for published screenings in ``queryset`` (one edition): three queries, whatever the count
    (screenings, their films, their guests).

    ``sections`` is ``section_names(edition)`` (published sections only); screenings in other sections
    and screenings with an unpublished film are left out, so ``queryset`` may be ``edition_screenings``.
    """
    tz = edition.tzinfo
    found = lean(queryset).values_list(*SCREENING_COLUMNS)
    rows = [row for row in found if row[8] is None or row[8] in sections]  # section_id
    if not rows:
        return []
    section_of = {row[0]: row[8] for row in rows}
    films = {}
    hidden = set()
    film_rows = (
        lean(ScreeningFilm.objects.filter(screening_id__in=list(section_of)))
        .annotate(film_card=card_image("film_id"))
        .order_by("screening_id", "order", "id")
        .values_list(*film_columns(), "film_card")
    )
    film_url = UrlPattern("film", film=None)
    labels = {value: str(label) for value, label in Selection.Premiere.choices}
    titles = title_reader()
    seen = {}
    for item_id, screening_id, published, *values, selection_section, premiere, card in film_rows:
        if not published:
            hidden.add(screening_id)
            continue
        if item_id not in seen:
            # ``card``: the renditions of the film's card image (``card_image``), for ``views.rows.screening_items``.
            seen[item_id] = {"title": titles(values), "url": film_url(values[-1]), "premiere": "", "card": card}
            films.setdefault(screening_id, []).append(seen[item_id])
        if premiere and selection_section is not None and selection_section == section_of[screening_id]:
            seen[item_id]["premiere"] = labels.get(premiere, "")
    if hidden:
        rows = [row for row in rows if row[0] not in hidden]
    guest_rows = (
        ScreeningGuest.objects.filter(screening_id__in=list(section_of))
        .order_by("screening_id", "order", "id")
        .values_list(*GUEST_COLUMNS)
    )
    guests = guests_by_screening(guest_rows)
    status_labels = {value: str(label) for value, label in Screening.Status.choices}
    status_labels[Screening.Status.SCHEDULED] = ""
    audience_labels = {value: str(label) for value, label in Screening.Audience.choices}
    audience_labels["public"] = ""
    venue_url = UrlPattern("venue", venue=None)
    section_url = UrlPattern("section", edition=edition.key, section=None)
    try:
        ics_url = UrlPattern("screening-ics", edition=edition.key, screening=None)
    except NoReverseMatch:  # the calendar export may not be installed
        ics_url = None
    language = translation.get_language()
    time_pattern = get_format("TIME_FORMAT")
    languages = {}

    def subtitle_names(codes):
        key = tuple(codes)
        if key not in languages:
            languages[key] = ", ".join(language_name(code) for code in codes)
        return languages[key]

    scheduled = Screening.Status.SCHEDULED
    result = []
    for (
        screening_id,
        key,
        starts_at,
        ends_at,
        status,
        audience,
        subtitles,
        ticket_url,
        section_id,
        screen_id,
        screen_name,
        screen_order,
        venue_key,
        venue_name,
        _version,
        *access,
    ) in rows:
        starts = starts_at.astimezone(tz)
        ends = ends_at.astimezone(tz)
        section = sections.get(section_id)
        result.append(
            {
                "id": screening_id,
                "key": key,
                "edition_key": edition.key,
                "starts_at": starts,
                "ends_at": ends,
                "start": clock_text(language, time_pattern, starts.hour, starts.minute),
                "end": clock_text(language, time_pattern, ends.hour, ends.minute),
                "iso_start": starts.isoformat(),
                "iso_end": ends.isoformat(),
                "status": status,
                "status_label": status_labels[status],
                "audience": audience,
                "audience_label": audience_labels[audience],
                "subtitles": subtitle_names(subtitles),
                "ticket_url": ticket_url if status == scheduled else "",
                "section": section,
                "section_url": section_url(section["key"]) if section else "",
                # The class that carries the section's colour (films.identity).
                "section_class": section_class(edition.key, section["key"]) if section else "",
                "screen_id": screen_id,
                "screen": screen_name or "",
                "screen_order": screen_order,
                "venue": venue_name or "",
                "venue_url": venue_url(venue_key) if venue_key else "",
                "films": films.get(screening_id, []),
                "ics_url": ics_url(key) if ics_url else "",
                # Codes of the screening's markers and of its screen's step-free access (``films.access``).
                "access": marker_codes(access[:4], access[4]),
                "wheelchair_spaces": access[5] or 0,
                "guests": guests.get(screening_id, []),
            }
        )
    attach_changes(result, [(row[0], row[14], row[2], row[9], row[4]) for row in rows])
    return result


def attach_changes(rows, screenings, now=None):
    """Give each display row ``change``: the note on its move or cancellation in the last 48 hours ("Moved from
    Thu 12 Feb, 14:00, Kino 1, Arsenal"), or "", in the time zone of the row's ``starts_at``.

    ``screenings`` are ``(id, version, starts_at, screen_id, status)`` (see ``changelog.recent_changes``); rows are
    matched by their ``id``."""
    changes = recent_changes(screenings, now)
    for row in rows:
        change = changes.get(row["id"])
        row["change"] = change_note(change, row["starts_at"].tzinfo) if change else ""
        row["change_kind"] = change.kind if change else ""


def change_note(change, tz):
    """A recent change (``changelog.RecentChange``) as the note a screening carries, in the edition's time zone."""
    language = translation.get_language()
    if change.kind == CANCELLED:
        moment = change.moment.astimezone(tz)
        return gettext("Cancelled on %(day)s at %(time)s") % {
            "day": day_text(language, "D j M", moment.date()),
            "time": clock(moment),
        }
    was = change.starts_at.astimezone(tz)
    where = gettext("Online") if change.online else f"{change.screen}, {change.venue}"
    return gettext("Moved from %(day)s, %(time)s, %(place)s") % {
        "day": day_text(language, "D j M", was.date()),
        "time": clock(was),
        "place": where,
    }


def screenings_with_film_conditions(queryset, *, form=None, country=None, max_age=None):
    """Narrow screenings by what their films are: a film of ``form``/from ``country``; all films suit ``max_age``."""
    if form:
        queryset = queryset.filter(Exists(ScreeningFilm.objects.filter(screening=OuterRef("pk"), film__form=form)))
    if country:
        queryset = queryset.filter(
            Exists(with_code(ScreeningFilm.objects.filter(screening=OuterRef("pk")), "film__countries", country))
        )
    if max_age is not None:
        queryset = queryset.exclude(
            Exists(ScreeningFilm.objects.filter(screening=OuterRef("pk"), film__minimum_age__gt=max_age))
        )
    return queryset


GRID_SLOT = datetime.timedelta(minutes=15)


def grid(rows, day, tz):
    """The day as a table: one column per screen, one row per quarter hour; screenings span rows.

    Returns ``(screens, slots)``: ``screens`` the column heads, ``slots`` a list of
    ``{"time", "cells"}`` where each cell is ``{"row": screening row, "span": n}`` or
    ``{"row": None, "span": 1}`` for a free quarter; covered quarters have no cell.
    Screenings that would overlap an earlier one in its screen (a cancelled one, say)
    start in the next free quarter.
    """
    placed = [row for row in rows if row["screen_id"]]
    if not placed:
        return [], []
    screens = {}
    for row in placed:
        screens.setdefault(row["screen_id"], (row["venue"], row["screen_order"], row["screen"]))
    screen_ids = sorted(screens, key=lambda sid: screens[sid])
    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    first = min(row["starts_at"] for row in placed)
    last = max(row["ends_at"] for row in placed)
    start_slot = int((first - midnight) / GRID_SLOT)
    end_slot = -(-int((last - midnight).total_seconds()) // int(GRID_SLOT.total_seconds()))
    count = max(end_slot - start_slot, 1)
    table = {sid: [None] * count for sid in screen_ids}  # None free, True covered, dict a cell
    for row in sorted(placed, key=lambda r: (r["status"] == Screening.Status.CANCELLED, r["starts_at"])):
        column = table[row["screen_id"]]
        begin = int((row["starts_at"] - midnight) / GRID_SLOT) - start_slot
        finish = -(-int((row["ends_at"] - midnight).total_seconds()) // int(GRID_SLOT.total_seconds())) - start_slot
        begin = max(begin, 0)
        while begin < count and column[begin] is not None:
            begin += 1
        if begin >= count:
            continue
        finish = max(min(finish, count), begin + 1)
        for index in range(begin + 1, finish):
            if column[index] is not None:
                finish = index
                break
        column[begin] = {"row": row, "span": finish - begin}
        for index in range(begin + 1, finish):
            column[index] = True
    slots = []
    for index in range(count):
        moment = midnight + GRID_SLOT * (start_slot + index)
        cells = []
        for sid in screen_ids:
            value = table[sid][index]
            if value is None:
                cells.append({"row": None, "span": 1})
            elif value is not True:
                cells.append(value)
        slots.append({"time": clock(moment), "full_hour": moment.minute == 0, "cells": cells})
    heads = [{"venue": screens[sid][0], "screen": screens[sid][2]} for sid in screen_ids]
    return heads, slots
