"""Lean queries for the public pages, and the rows they render.

Rows are plain dicts with display strings precomputed in Python (times in the
edition's time zone, titles with their real language, URLs), so the templates do
little work per row and the query count does not grow with the number of rows.
"""

import datetime
import functools

from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format

from .codes import language_name
from .models import Edition, Screening, ScreeningFilm, Section, Selection
from .public import lean, title_columns, title_reader, translated, translated_columns


def current_edition():
    """The edition the site is about: the latest published one by first day, or None."""
    return Edition.objects.published().order_by("-start_date", "key").first()


def nav_edition():
    """What the header and navigation need of the current edition (key and names), as a dict, or None."""
    return (
        lean(Edition.objects.filter(published=True))
        .order_by("-start_date", "key")
        .values("key", *translated_columns("name"))
        .first()
    )


def default_day(edition, now=None):
    """Today in the edition's time zone when it falls within the edition, else its first day."""
    today = timezone.localtime(now or timezone.now(), edition.tzinfo).date()
    return today if edition.start_date <= today <= edition.end_date else edition.start_date


def with_code(queryset, field, code):
    """Rows of ``queryset`` whose comma-separated code list ``field`` (a CodeListField) holds ``code``.

    The column is wrapped in commas and matched as text: the field's own ``get_prep_value``
    turns any string into a list, so plain ``startswith``/``contains`` lookups on it fail.
    """
    alias = f"{field.replace('__', '_')}_wrapped"
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


def section_names(edition):
    """``{section id: {"key", "name" (Text)}}`` of the edition's published sections, in programme order."""
    rows = Section.objects.published().filter(edition=edition).order_by("order", "key")
    sections = {}
    for row in lean(rows).values(
        "id", "key", "competitive", *translated_columns("name"), *translated_columns("description")
    ):
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
    return clock_text(translation.get_language(), get_format("TIME_FORMAT"), moment.hour, moment.minute)


def edition_screenings(edition):
    """The published screenings of a published ``edition``, for ``screening_rows``: a lean queryset.

    The other publication rules (published section, published films) cost a join and a subquery
    to compile; ``screening_rows`` applies them in Python from what it reads anyway.
    """
    return Screening.objects.filter(edition=edition, published=True)


def screening_rows(queryset, edition, sections):
    """Display rows for published screenings in ``queryset`` (one edition): two queries, whatever the count.

    ``sections`` is ``section_names(edition)`` (published sections only); screenings in other sections
    and screenings with an unpublished film are left out, so ``queryset`` may be ``edition_screenings``.
    """
    tz = edition.tzinfo
    rows = [
        row
        for row in lean(queryset).values_list(*SCREENING_COLUMNS)
        if row[8] is None or row[8] in sections  # section_id
    ]
    if not rows:
        return []
    section_of = {row[0]: row[8] for row in rows}
    films = {}
    hidden = set()
    columns = title_columns("film__")
    # One row per film and selection of that film (any edition): the premiere is the selection in the
    # screening's own section. A LEFT JOIN compiles and runs cheaper than a correlated subquery.
    film_rows = (
        lean(ScreeningFilm.objects.filter(screening_id__in=list(section_of)))
        .order_by("screening_id", "order", "id")
        .values_list(
            "id",
            "screening_id",
            "film__published",
            *columns,
            "film__selections__section_id",
            "film__selections__premiere",
        )
    )
    film_url = UrlPattern("film", film=None)
    labels = {value: str(label) for value, label in Selection.Premiere.choices}
    titles = title_reader()
    seen = {}
    for item_id, screening_id, published, *values, selection_section, premiere in film_rows:
        if not published:
            hidden.add(screening_id)
            continue
        if item_id not in seen:
            seen[item_id] = {"title": titles(values), "url": film_url(values[-1]), "premiere": ""}
            films.setdefault(screening_id, []).append(seen[item_id])
        if premiere and selection_section is not None and selection_section == section_of[screening_id]:
            seen[item_id]["premiere"] = labels.get(premiere, "")
    if hidden:
        rows = [row for row in rows if row[0] not in hidden]
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
                "screen_id": screen_id,
                "screen": screen_name or "",
                "screen_order": screen_order,
                "venue": venue_name or "",
                "venue_url": venue_url(venue_key) if venue_key else "",
                "films": films.get(screening_id, []),
                "ics_url": ics_url(key) if ics_url else "",
            }
        )
    return result


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
