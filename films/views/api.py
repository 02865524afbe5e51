"""Read-only JSON API: an edition's published programme, for apps and partners.

One document per edition, built in a constant number of queries whatever its size. Translated
text is an object from language code to text with only the languages that have text, as in the
catalogue exchange format; moments are ISO 8601 with the offset of the edition's time zone.

Each screening says what it offers for access: ``access``, the codes of its own markers
(``audio-description``, ``captions``, ``sign-language``, ``relaxed``); ``step_free`` and
``wheelchair_spaces`` from its screen's record (``null`` for an online screening without one); and
``guests``, who attends it (``person`` key, ``name``) for an introduction (``intro``), a Q&A (``qa``) or both.
"""

import functools
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from modeltranslation.utils import build_localized_fieldname

from ..access import SCREENING_MARKERS
from ..cache import ALL, kept, key
from ..models import Edition, Film, Screening, ScreeningFilm, ScreeningGuest, Section, Selection
from ..public import language_codes, lean, translated_columns
from ..queries import UrlPattern

FORMAT = "festival-programme"
VERSION = 1
# Part of the name documents are kept under (``films.cache.kept``): bump it when the code changes what it writes.
DOCUMENT_FORMAT = 1


FILM_COLUMNS = (
    "key",
    "original_title",
    "original_title_latin",
    "year",
    "runtime_minutes",
    "countries",
    "spoken_languages",
    "form",
    "minimum_age",
)


def _translations(row, field, prefix="", languages=None):
    """``{language: text}`` of a translated field in a ``values()`` row, only the languages that have text
    (``languages``: the site's, ``tuple(language_codes())``, read once by the caller of many rows)."""
    return {
        code: row[column]
        for code, column in _columns(field, prefix, languages or tuple(language_codes()))
        if row[column]
    }


@functools.lru_cache(maxsize=256)
def _columns(field, prefix, languages):
    return tuple((code, f"{prefix}{build_localized_fieldname(field, code)}") for code in languages)


class Urls:
    """A public page's absolute URL in every site language, reversed once per language and filled in per key."""

    def __init__(self, request, name, **fixed):
        self.patterns = {}
        base = request.build_absolute_uri("/").rstrip("/")
        for code in language_codes():
            with translation.override(code):
                self.patterns[code] = (base, UrlPattern(name, **fixed))

    def __call__(self, *keys):
        return {code: base + pattern(*keys) for code, (base, pattern) in self.patterns.items()}


def _moment(value, tz):
    return timezone.localtime(value, tz).isoformat() if value else None


def _film(row, urls, languages):
    film = {"key": row["key"], "title": _translations(row, "title", "", languages)}
    for column in FILM_COLUMNS[1:]:
        value = row[column]
        film[column] = list(value) if column in ("countries", "spoken_languages") else value
    film["url"] = urls(row["key"])
    return film


def programme_document(request, edition):
    """The published programme of ``edition`` as a JSON-ready dict (6 queries after the edition), from ``values()``
    rows: no model instance per row, each film read once, each URL pattern reversed once per language."""
    tz = edition.tzinfo
    languages = tuple(language_codes())
    sections = list(
        lean(Section.objects.published().filter(edition=edition))
        .order_by("order", "key")
        .values("id", "key", "competitive", *translated_columns("name"))
    )
    selections = (
        Selection.objects.filter(film__published=True, section__in=[section["id"] for section in sections])
        .order_by("section__order", "order", "id")
        .values_list("section_id", "film_id")
    )
    published = Screening.objects.published().filter(edition=edition)
    screenings = list(
        lean(published)
        .order_by("starts_at", "key")
        .values(
            "id",
            "key",
            "starts_at",
            "ends_at",
            "subtitles",
            "audience",
            "status",
            "ticket_url",
            "available_from",
            "available_until",
            "online_countries",
            "section__key",
            "screen__key",
            "screen__name",
            "screen__order",
            "screen__capacity",
            "screen__step_free",
            "screen__wheelchair_spaces",
            "screen__venue__key",
            "screen__venue__name",
            "screen__venue__address",
            "screen__venue__city",
            *(field for _code, field in SCREENING_MARKERS),
            *translated_columns("note"),
        )
    )
    screening_films = (
        ScreeningFilm.objects.filter(screening__in=published.values("id"))
        .order_by("screening_id", "order", "id")
        .values_list("screening_id", "film_id")
    )
    # Every film the document names: those selected in its published sections and those its screenings show.
    shown = ScreeningFilm.objects.filter(screening__in=published.values("id")).values("film_id")
    selected = Selection.objects.filter(section__in=[section["id"] for section in sections]).values("film_id")
    film_rows = {
        row["id"]: row
        for row in lean(Film.objects.filter(Q(pk__in=shown) | Q(pk__in=selected), published=True)).values(
            "id", *FILM_COLUMNS, *translated_columns("title")
        )
    }
    guest_rows = (
        ScreeningGuest.objects.filter(screening__in=published.values("id"))
        .order_by("screening_id", "order", "id")
        .values_list("screening_id", "person__key", "person__name", "intro", "qa")
    )

    film_urls = Urls(request, "film", film=None)
    films = {}
    section_films = {}
    for section_id, film_id in selections:
        film = film_rows[film_id]
        films.setdefault(film["key"], film)
        section_films.setdefault(section_id, []).append(film["key"])
    films_of = {}
    for screening_id, film_id in screening_films:
        film = film_rows[film_id]
        films.setdefault(film["key"], film)
        films_of.setdefault(screening_id, []).append(film["key"])
    guests = {}
    for screening_id, person, name, intro, qa in guest_rows:
        guests.setdefault(screening_id, []).append({"person": person, "name": name, "intro": intro, "qa": qa})
    venues = {}
    for row in screenings:
        if row["screen__key"] is not None:
            venue = venues.setdefault(row["screen__venue__key"], (row, {}))
            venue[1].setdefault(row["screen__key"], row)

    section_urls = Urls(request, "section", edition=edition.key, section=None)
    return {
        "format": FORMAT,
        "version": VERSION,
        "edition": {
            "key": edition.key,
            "name": _translations(vars(edition), "name"),
            "year": edition.year,
            "start_date": edition.start_date.isoformat(),
            "end_date": edition.end_date.isoformat(),
            "timezone": edition.timezone,
            "festival": {"key": edition.festival.key, "name": _translations(vars(edition.festival), "name")},
            "url": Urls(request, "programme", edition=edition.key)(),
        },
        "sections": [
            {
                "key": section["key"],
                "name": _translations(section, "name"),
                "competitive": section["competitive"],
                "films": section_films.get(section["id"], []),
                "url": section_urls(section["key"]),
            }
            for section in sections
        ],
        "venues": [
            {
                "key": venue["screen__venue__key"],
                "name": venue["screen__venue__name"],
                "address": venue["screen__venue__address"],
                "city": venue["screen__venue__city"],
                "screens": [
                    {
                        "key": screen["screen__key"],
                        "name": screen["screen__name"],
                        "capacity": screen["screen__capacity"],
                    }
                    for screen in sorted(screens.values(), key=lambda row: (row["screen__order"], row["screen__name"]))
                ],
            }
            for venue, screens in sorted(
                venues.values(), key=lambda item: (item[0]["screen__venue__name"], item[0]["screen__venue__key"])
            )
        ],
        "films": [_film(films[key], film_urls, languages) for key in sorted(films)],
        "screenings": [
            {
                "key": row["key"],
                "starts_at": _moment(row["starts_at"], tz),
                "ends_at": _moment(row["ends_at"], tz),
                "venue": row["screen__venue__key"],
                "screen": row["screen__key"],
                "section": row["section__key"],
                "films": films_of.get(row["id"], []),
                "subtitles": list(row["subtitles"]),
                "audience": row["audience"],
                "status": row["status"],
                "ticket_url": row["ticket_url"],
                "note": _translations(row, "note", "", languages),
                "available_from": _moment(row["available_from"], tz),
                "available_until": _moment(row["available_until"], tz),
                "online_countries": list(row["online_countries"]),
                "access": [code for code, field in SCREENING_MARKERS if row[field]],
                "step_free": row["screen__step_free"],
                "wheelchair_spaces": row["screen__wheelchair_spaces"],
                "guests": guests.get(row["id"], []),
            }
            for row in screenings
        ],
    }


@require_safe
def programme(request, edition):
    found = Edition.objects.published().filter(key=edition).first()
    if found is None:
        return JsonResponse(
            {"error": _("There is no published edition “%(edition)s”.") % {"edition": edition}}, status=404
        )
    # Built once for each state of the edition (``films.cache.kept``); the address is in the name for its links.
    name = f"programme.json|{DOCUMENT_FORMAT}|{request.build_absolute_uri()}"
    body = kept(
        name,
        (ALL, key("edition", found.key)),
        lambda: json.dumps(programme_document(request, found), cls=DjangoJSONEncoder, ensure_ascii=False).encode(),
    )
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
