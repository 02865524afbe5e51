"""Read-only JSON API: an edition's published programme, for apps and partners.

One document per edition, built in a constant number of queries whatever its size. Translated
text is an object from language code to text with only the languages that have text, as in the
catalogue exchange format; moments are ISO 8601 with the offset of the edition's time zone.

Each screening says what it offers for access: ``access``, the codes of its own markers
(``audio-description``, ``captions``, ``sign-language``, ``relaxed``); ``step_free`` and
``wheelchair_spaces`` from its screen's record (``null`` for an online screening without one); and
``guests``, who attends it (``person`` key, ``name``) for an introduction (``intro``), a Q&A (``qa``) or both.
"""

from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from modeltranslation.utils import build_localized_fieldname

from ..access import guests_prefetch, screening_marker_codes
from ..models import Edition, Screening, Section, Selection
from ..public import language_codes

FORMAT = "festival-programme"
VERSION = 1


def _translations(instance, field):
    values = {}
    for code in language_codes():
        value = getattr(instance, build_localized_fieldname(field, code), "")
        if value:
            values[code] = value
    return values


def _urls(request, name, **kwargs):
    """The absolute URL of a public page in every site language."""
    urls = {}
    for code in language_codes():
        with translation.override(code):
            urls[code] = request.build_absolute_uri(reverse(name, kwargs=kwargs))
    return urls


def _moment(value, tz):
    return timezone.localtime(value, tz).isoformat() if value else None


def _film(request, film):
    return {
        "key": film.key,
        "title": _translations(film, "title"),
        "original_title": film.original_title,
        "original_title_latin": film.original_title_latin,
        "year": film.year,
        "runtime_minutes": film.runtime_minutes,
        "countries": list(film.countries),
        "spoken_languages": list(film.spoken_languages),
        "form": film.form,
        "minimum_age": film.minimum_age,
        "url": _urls(request, "film", film=film.key),
    }


def programme_document(request, edition):
    """The published programme of ``edition`` as a JSON-ready dict (6 queries after the edition)."""
    tz = edition.tzinfo
    sections = list(Section.objects.published().filter(edition=edition).order_by("order", "key"))
    selections = list(
        Selection.objects.published().filter(section__edition=edition).order_by("section__order", "order", "id")
    )
    screenings = list(
        Screening.objects.for_export()
        .filter(edition=edition)
        .prefetch_related(guests_prefetch())
        .order_by("starts_at", "key")
    )

    films = {}
    section_films = {}
    for selection in selections:
        films.setdefault(selection.film.key, selection.film)
        section_films.setdefault(selection.section_id, []).append(selection.film.key)
    venues = {}
    for screening in screenings:
        for item in screening.films_in_order:
            films.setdefault(item.film.key, item.film)
        if screening.screen is not None:
            venue = screening.screen.venue
            screens = venues.setdefault(venue.key, (venue, {}))[1]
            screens[screening.screen.key] = screening.screen

    return {
        "format": FORMAT,
        "version": VERSION,
        "edition": {
            "key": edition.key,
            "name": _translations(edition, "name"),
            "year": edition.year,
            "start_date": edition.start_date.isoformat(),
            "end_date": edition.end_date.isoformat(),
            "timezone": edition.timezone,
            "festival": {"key": edition.festival.key, "name": _translations(edition.festival, "name")},
            "url": _urls(request, "programme", edition=edition.key),
        },
        "sections": [
            {
                "key": section.key,
                "name": _translations(section, "name"),
                "competitive": section.competitive,
                "films": section_films.get(section.pk, []),
                "url": _urls(request, "section", edition=edition.key, section=section.key),
            }
            for section in sections
        ],
        "venues": [
            {
                "key": venue.key,
                "name": venue.name,
                "address": venue.address,
                "city": venue.city,
                "screens": [
                    {"key": screen.key, "name": screen.name, "capacity": screen.capacity}
                    for screen in sorted(screens.values(), key=lambda screen: (screen.order, screen.name))
                ],
            }
            for venue, screens in sorted(venues.values(), key=lambda item: (item[0].name, item[0].key))
        ],
        "films": [_film(request, films[key]) for key in sorted(films)],
        "screenings": [
            {
                "key": screening.key,
                "starts_at": _moment(screening.starts_at, tz),
                "ends_at": _moment(screening.ends_at, tz),
                "venue": screening.screen.venue.key if screening.screen else None,
                "screen": screening.screen.key if screening.screen else None,
                "section": screening.section.key if screening.section else None,
                "films": [item.film.key for item in screening.films_in_order],
                "subtitles": list(screening.subtitles),
                "audience": screening.audience,
                "status": screening.status,
                "ticket_url": screening.ticket_url,
                "note": _translations(screening, "note"),
                "available_from": _moment(screening.available_from, tz),
                "available_until": _moment(screening.available_until, tz),
                "online_countries": list(screening.online_countries),
                "access": screening_marker_codes(screening),
                "step_free": screening.screen.step_free if screening.screen else None,
                "wheelchair_spaces": screening.screen.wheelchair_spaces if screening.screen else None,
                "guests": [
                    {"person": guest.person.key, "name": guest.person.name, "intro": guest.intro, "qa": guest.qa}
                    for guest in screening.guests_in_order
                ],
            }
            for screening in screenings
        ],
    }


@require_safe
def programme(request, edition):
    found = Edition.objects.published().filter(key=edition).first()
    if found is None:
        return JsonResponse(
            {"error": _("There is no published edition “%(edition)s”.") % {"edition": edition}}, status=404
        )
    response = JsonResponse(programme_document(request, found), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
