"""Calendar (.ics) exports and the personal programme.

A visitor marks screenings without an account: the choice lives in the browser
(``films/static/films/js/personal-programme.js`` keeps screening keys per edition in
localStorage) and travels in the address, ``?edition=<key>&s=key1,key2``, so the listing,
its clashes and the calendar link are rendered here, on the server, and work without
JavaScript for anyone who has the link.
"""

from itertools import groupby

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..access import with_access
from ..cache import ALL, kept, key
from ..calendar import (
    BadKeyList,
    calendar_bytes,
    calendar_response,
    calendar_rows,
    parse_screening_keys,
    subscription,
    subscription_keys,
    subscription_token,
)
from ..models import Edition, Screening, ScreeningFilm
from ..public import translated
from ..queries import screening_rows, section_names
from .pages import ProgrammeFilters, filter_options

# The programme page's filters that narrow which screenings a calendar holds (``view`` only changes the layout).
# Part of the name calendars are kept under (``films.cache.kept``): bump it when the code changes what they say.
CALENDAR_FORMAT = 1
PROGRAMME_FILTERS = (
    "day",
    "section",
    "venue",
    "subtitles",
    "audience",
    "access",
    "form",
    "country",
    "age",
    "started",
)


def published_edition(key):
    return get_object_or_404(Edition.objects.published(), key=key)


def edition_name(edition):
    return str(translated(edition, "name")) or edition.key


def filter_programme(screenings, edition, chosen, now=None):
    """Narrow an edition's screenings by the programme page's filters (``ProgrammeFilters`` cleaned values).

    ``day`` is the day in the edition's time zone; ``started=hide`` leaves out what has started by ``now``.
    Subtitles match a whole code in the comma-separated list (",en," within ",de,en,"); comparing the
    list column to a plain string would go through the list field's conversion and fail.
    """
    if chosen.get("day"):  # the ProgrammeFilters form has checked the day is within the edition
        screenings = screenings.on_day(edition, chosen["day"])
    if chosen.get("section"):
        screenings = screenings.filter(section__key=chosen["section"])
    if chosen.get("venue"):
        screenings = screenings.filter(screen__venue__key=chosen["venue"])
    if chosen.get("subtitles"):
        screenings = screenings.alias(subtitles_padded=padded("subtitles")).filter(
            subtitles_padded__contains=f",{chosen['subtitles']},"
        )
    if chosen.get("audience"):
        screenings = screenings.filter(audience=chosen["audience"])
    if chosen.get("access"):
        screenings = with_access(screenings, chosen["access"])
    if chosen.get("started") == "hide":
        screenings = screenings.filter(starts_at__gte=now or timezone.now())
    films = ScreeningFilm.objects.filter(screening=OuterRef("pk"))
    if chosen.get("form"):
        screenings = screenings.filter(Exists(films.filter(film__form=chosen["form"])))
    if chosen.get("country"):
        screenings = screenings.filter(
            Exists(
                films.alias(countries_padded=padded("film__countries")).filter(
                    countries_padded__contains=f",{chosen['country']},"
                )
            )
        )
    if chosen.get("age") is not None:
        screenings = screenings.exclude(Exists(films.filter(film__minimum_age__gt=chosen["age"])))
    return screenings


def padded(field):
    """A comma-separated code list as ``,UA,PL,``, so that ``contains ",PL,"`` matches one whole code."""
    return Concat(Value(","), field, Value(","), output_field=CharField())


def bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


# Calendars -------------------------------------------------------------------


@require_safe
def screening_ics(request, edition, screening):
    edition = published_edition(edition)
    found = calendar_rows(edition, Screening.objects.published().filter(edition=edition, key=screening))
    if not found.screenings:
        raise Http404
    return calendar_response(found, request, name=edition_name(edition), filename=f"{edition.key}-{screening}.ics")


@require_safe
def programme_ics(request, edition):
    """The programme as the programme page filters it (same query string), every day unless ``day`` is given.

    A filter value the edition does not have is a 400 that names the filter, not an empty calendar.
    """
    edition = published_edition(edition)
    asked = {name: request.GET[name] for name in PROGRAMME_FILTERS if request.GET.get(name)}
    chosen = {}
    if asked:  # (The whole programme, the address most subscribed to, has nothing to check.)
        # The edition's venues, languages, countries and sections are read only to check one that is asked for.
        venues, subtitles, countries = (
            filter_options(edition) if asked.keys() & {"venue", "subtitles", "country"} else ([], [], [])
        )
        filters = ProgrammeFilters(
            asked,
            edition=edition,
            sections=section_names(edition).values() if "section" in asked else [],
            venues=venues,
            subtitles=subtitles,
            countries=countries,
        )
        if not filters.is_valid():
            problems = [
                f"{name}={request.GET.get(name, '')[:100]}: {' '.join(errors)}"
                for name, errors in filters.errors.items()
            ]
            return bad_request(_("The calendar cannot be made: %(problems)s") % {"problems": "; ".join(problems)})
        chosen = {name: value for name, value in filters.cleaned_data.items() if value not in (None, "")}
    screenings = filter_programme(Screening.objects.published().filter(edition=edition), edition, chosen)
    # Built once for each state of the edition (``films.cache.kept``): calendar apps poll this address.
    body = kept(
        f"programme.ics|{CALENDAR_FORMAT}|{request.build_absolute_uri()}",
        (ALL, key("edition", edition.key)),
        lambda: calendar_bytes(
            calendar_rows(edition, screenings.order_by("starts_at", "key")),
            request,
            name=_("%(edition)s: programme") % {"edition": edition_name(edition)},
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.key}-programme.ics"'
    return response


@require_safe
def personal_programme_ics(request, edition):
    """The screenings ``?s=key1,key2`` names, as a calendar to download."""
    edition = published_edition(edition)
    try:
        keys = parse_screening_keys(request.GET.get("s", ""))
    except BadKeyList as error:
        return bad_request(str(error))
    if not keys:
        return bad_request(_("The link names no screenings; add them as ?s=key1,key2."))
    return personal_calendar(request, edition, keys)


@require_safe
def personal_subscription(request, edition, token):
    """A personal programme's calendar subscription (``calendar.subscription_token``): a calendar app polls it."""
    edition = published_edition(edition)
    keys = subscription_keys(token)
    if keys is None:  # A token this site did not make (its own always hold well-formed keys).
        raise Http404
    return personal_calendar(request, edition, keys)


def personal_calendar(request, edition, keys):
    screenings = Screening.objects.published().filter(edition=edition, key__in=keys).order_by("starts_at", "key")
    return calendar_response(
        calendar_rows(edition, screenings),
        request,
        name=_("My programme: %(edition)s") % {"edition": edition_name(edition)},
        filename=f"{edition.key}-my-programme.ics",
    )


# The personal programme page ---------------------------------------------------


def mark_clashes(rows):
    """Give each row ``clashes``: the other chosen screenings it overlaps in time, anywhere; cancelled ones never clash.

    Rows are in start order; a sweep keeps the screenings still running, so this is O(n log n + clashes).
    """
    for row in rows:
        row["clashes"] = []
    running = []
    for row in rows:
        if row["status"] == Screening.Status.CANCELLED:
            continue
        running = [other for other in running if other["ends_at"] > row["starts_at"]]
        for other in running:
            other["clashes"].append(row)
            row["clashes"].append(other)
        running.append(row)
    return sum(1 for row in rows if row["clashes"])


def personal_url(edition, keys):
    # Keys are [a-z0-9-] only (checked on the way in): the list reads as it is, commas unescaped.
    url = f"{reverse('personal-programme')}?edition={edition.key}"
    return f"{url}&s={','.join(keys)}" if keys else url


def personal_ics_url(edition, keys):
    return f"{reverse('personal-programme-ics', kwargs={'edition': edition.key})}?s={','.join(keys)}"


def personal_subscription_url(edition, keys):
    """The address a calendar app subscribes to: unguessable, different for each visitor, holding only ``keys``."""
    return reverse(
        "personal-programme-subscription", kwargs={"edition": edition.key, "token": subscription_token(keys)}
    )


@require_safe
def personal_programme(request):
    """``/<lang>/my-programme/?edition=<key>&s=key1,key2``: the chosen screenings by day, clashes flagged."""
    edition_key = request.GET.get("edition", "")
    context = {"edition": None, "error": "", "days": [], "missing": [], "keys": []}
    if not edition_key:
        editions = Edition.objects.published().order_by("-start_date", "key")
        context["editions"] = [
            {"key": edition.key, "name": translated(edition, "name"), "url": personal_url(edition, [])}
            for edition in editions
        ]
        return render(request, "films/personal_programme.html", context)

    edition = Edition.objects.published().filter(key=edition_key[:100]).first()
    if edition is None:
        raise Http404(_("There is no published edition “%(edition)s”.") % {"edition": edition_key[:100]})
    context.update(edition=edition, nav_edition=edition)
    try:
        keys = parse_screening_keys(request.GET.get("s", ""))
    except BadKeyList as error:
        context["error"] = str(error)
        return render(request, "films/personal_programme.html", context, status=400)

    rows = []
    if keys:
        screenings = Screening.objects.published().filter(edition=edition, key__in=keys).order_by("starts_at", "key")
        rows = screening_rows(screenings, edition, section_names(edition))
    found = {row["key"] for row in rows}
    clash_count = mark_clashes(rows)
    for row in rows:
        # What the browser remembers of each chosen screening, to flag it on the next visit if it changed.
        row["seen"] = "|".join((row["iso_start"], row["iso_end"], str(row["screen_id"] or ""), row["status"]))
        place = f"{row['screen']}, {row['venue']}" if row["venue"] else _("Online")
        row["seen_text"] = f"{date_format(row['starts_at'].date(), 'D j M')}, {row['start']}–{row['end']}, {place}"
    days = [
        {"date": day, "label": date_format(day, "DATE_FORMAT"), "rows": list(group)}
        for day, group in groupby(rows, key=lambda row: row["starts_at"].date())
    ]
    kept = [key for key in keys if key in found]
    context.update(
        keys=kept,
        days=days,
        count=len(rows),
        clash_count=clash_count,
        missing=[key for key in keys if key not in found],
        ics_url=personal_ics_url(edition, kept) if kept else "",
        subscribe=subscription(request, personal_subscription_url(edition, kept)) if kept else None,
        page_url=personal_url(edition, kept),
        programme_url=reverse("programme", kwargs={"edition": edition.key}),
    )
    return render(request, "films/personal_programme.html", context)
