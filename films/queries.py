"""Lean queries for the public pages, and the rows they render.

Rows are plain dicts with display strings precomputed in Python (times in the
edition's time zone, titles with their real language, URLs), so the templates do
little work per row and the query count does not grow with the number of rows.
"""

import datetime

from django.db.models import CharField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format, time_format

from .codes import language_name
from .models import Edition, Screening, ScreeningFilm, Section, Selection
from .public import film_title, lean, title_columns, translated, translated_columns


def current_edition():
    """The edition the site is about: the latest published one by first day, or None."""
    return Edition.objects.published().order_by("-start_date", "key").first()


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
    """Reverse a URL once and fill in keys by string substitution: cheap per row."""

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

    def __call__(self, *keys):
        url = self.pattern
        for index, field in enumerate(self.kwargs):
            if field in self.fields:
                url = url.replace(f"{self.MARK}{index}", keys[self.fields.index(field)])
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
    "screen__key",
    "screen__name",
    "screen__order",
    "screen__venue__key",
    "screen__venue__name",
)


def screening_rows(queryset, edition, sections):
    """Display rows for published screenings in ``queryset`` (one edition): two queries, whatever the count.

    ``sections`` is ``section_names(edition)``; screenings in sections not in it are left out.
    """
    tz = edition.tzinfo
    rows = [
        row for row in queryset.values(*SCREENING_COLUMNS) if row["section_id"] is None or row["section_id"] in sections
    ]
    if not rows:
        return []
    premiere = Selection.objects.filter(
        section_id=OuterRef("screening__section_id"), film_id=OuterRef("film_id")
    ).values("premiere")[:1]
    films = {}
    film_rows = (
        lean(ScreeningFilm.objects.all())
        .filter(screening_id__in=[row["id"] for row in rows])
        .order_by("screening_id", "order", "id")
        .values(
            "screening_id", "film_id", "film__runtime_minutes", *title_columns("film__"), premiere=Subquery(premiere)
        )
    )
    film_url = UrlPattern("film", film=None)
    labels = {value: str(label) for value, label in Selection.Premiere.choices}
    for item in film_rows:
        films.setdefault(item["screening_id"], []).append(
            {
                "title": film_title(item, prefix="film__"),
                "url": film_url(item["film__key"]),
                "premiere": labels.get(item["premiere"] or "", ""),
            }
        )
    status_labels = {value: str(label) for value, label in Screening.Status.choices}
    audience_labels = {value: str(label) for value, label in Screening.Audience.choices}
    venue_url = UrlPattern("venue", venue=None)
    section_url = UrlPattern("section", edition=edition.key, section=None)
    try:
        ics_url = UrlPattern("screening-ics", edition=edition.key, screening=None)
    except NoReverseMatch:  # the calendar export may not be installed
        ics_url = None
    times = {}
    languages = {}
    time_pattern = get_format("TIME_FORMAT")

    def clock(moment):
        # Many screenings share start and end times; format each time of day once.
        key = (moment.hour, moment.minute)
        if key not in times:
            times[key] = dateformat.time_format(moment, time_pattern)
        return times[key]

    def subtitle_names(codes):
        key = tuple(codes)
        if key not in languages:
            languages[key] = ", ".join(language_name(code) for code in codes)
        return languages[key]

    result = []
    for row in rows:
        starts = row["starts_at"].astimezone(tz)
        ends = row["ends_at"].astimezone(tz)
        section = sections.get(row["section_id"])
        result.append(
            {
                "id": row["id"],
                "key": row["key"],
                "edition_key": edition.key,
                "starts_at": starts,
                "ends_at": ends,
                "start": clock(starts),
                "end": clock(ends),
                "iso_start": starts.isoformat(),
                "iso_end": ends.isoformat(),
                "status": row["status"],
                "status_label": status_labels[row["status"]] if row["status"] != Screening.Status.SCHEDULED else "",
                "audience": row["audience"],
                "audience_label": audience_labels[row["audience"]] if row["audience"] != "public" else "",
                "subtitles": subtitle_names(row["subtitles"]),
                "ticket_url": row["ticket_url"] if row["status"] == Screening.Status.SCHEDULED else "",
                "section": section,
                "section_url": section_url(section["key"]) if section else "",
                "screen_id": row["screen_id"],
                "screen": row["screen__name"] or "",
                "screen_order": row["screen__order"],
                "venue": row["screen__venue__name"] or "",
                "venue_url": venue_url(row["screen__venue__key"]) if row["screen__venue__key"] else "",
                "films": films.get(row["id"], []),
                "ics_url": ics_url(row["key"]) if ics_url else "",
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
        slots.append({"time": time_format(moment), "full_hour": moment.minute == 0, "cells": cells})
    heads = [{"venue": screens[sid][0], "screen": screens[sid][2]} for sid in screen_ids]
    return heads, slots
