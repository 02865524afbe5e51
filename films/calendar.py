"""iCalendar (.ics) export of screenings: one screening, a filtered programme, a personal programme.

Times are written in the edition's own time zone (``DTSTART;TZID=Europe/Amsterdam``) and the
calendar carries the matching ``VTIMEZONE``, so calendar apps show the local time of the festival
whatever zone the visitor's device is in. Summaries are in the page's (the URL's) language.
"""

import re

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from reversion.models import Version

from .access import access_codes, access_texts, guest_lines, guests_prefetch
from .models import Screening, ScreeningFilm
from .models.versioned import saved_at
from .public import film_title, translated

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


def film_url(request, film):
    """The absolute URL of ``film``'s page in the active language."""
    return request.build_absolute_uri(reverse("film", kwargs={"film": film.key}))


def with_films(screenings):
    """``screenings`` as a list whose films are fetched in running order, in one query for them all.

    Screenings from ``Screening.objects.for_export()`` have their films already; others get them here.
    """
    screenings = list(screenings)
    missing = [screening for screening in screenings if not hasattr(screening, "films_in_order")]
    if missing:
        prefetch_related_objects(
            missing,
            Prefetch(
                "screening_films",
                queryset=ScreeningFilm.objects.select_related("film").order_by("order", "id"),
                to_attr="films_in_order",
            ),
        )
    return screenings


def with_guests(screenings):
    """``screenings`` (a list) with their guests fetched in one query for them all, unless they have them."""
    missing = [screening for screening in screenings if not hasattr(screening, "guests_in_order")]
    if missing:
        prefetch_related_objects(missing, guests_prefetch())
    return screenings


def screening_films(screening):
    """The films of a screening in running order (see ``with_films``)."""
    return [item.film for item in screening.films_in_order]


def screening_summary(screening):
    """The film title(s) in the page's language; a shorts programme's titles joined by " / "."""
    return " / ".join(str(film_title(film)) for film in screening_films(screening))


def screening_location(screening):
    """Venue, screen, address and city, without repeats; "Online" for an online screening without a screen."""
    if screening.screen is None:
        return _("Online")
    venue = screening.screen.venue
    parts = []
    for part in (venue.name, screening.screen.name, venue.address, venue.city):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)


def screening_uid(screening, request):
    """A UID that stays the same across exports, so a re-imported calendar updates its events."""
    host, _port = split_domain_port(request.get_host())
    return f"{screening.edition.key}-{screening.key}@{host or 'localhost'}"


def screening_description(screening, request):
    lines = []
    if screening.status == screening.Status.CANCELLED:
        lines.append(_("This screening is cancelled."))
    elif screening.status == screening.Status.SOLD_OUT:
        lines.append(_("Sold out."))
    lines.extend(f"{film_title(film)}: {film_url(request, film)}" for film in screening_films(screening))
    access = access_texts(
        access_codes(screening), screening.screen.wheelchair_spaces if screening.screen is not None else 0
    )
    if access:
        lines.append(_("Accessibility: %(markers)s") % {"markers": ", ".join(access)})
    lines.extend(guest_lines(screening.guests_in_order))
    note = translated(screening, "note")
    if note:
        lines.append(str(note))
    if screening.ticket_url and screening.status == screening.Status.SCHEDULED:
        lines.append(_("Tickets: %(url)s") % {"url": screening.ticket_url})
    return "\n".join(lines)


def saves_kept(screenings):
    """``{screening pk: how many of its saves the history keeps}``, in one query."""
    rows = (
        Version.objects.get_for_model(Screening)
        .filter(object_id__in=[str(screening.pk) for screening in screenings])
        .values("object_id")
        .annotate(saves=Count("pk"))
        .values_list("object_id", "saves")
    )
    return {int(pk): saves for pk, saves in rows}


def screening_event(screening, request, stamp, sequence=0):
    tz = screening.edition.tzinfo
    films = screening_films(screening)
    event = Event()
    event.add("uid", screening_uid(screening, request))
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(screening.starts_at, tz))
    event.add("dtend", timezone.localtime(screening.ends_at, tz))
    event.add("summary", screening_summary(screening))
    event.add("location", screening_location(screening))
    event.add("description", screening_description(screening, request))
    if films:
        event.add("url", film_url(request, films[0]))
    event.add("status", "CANCELLED" if screening.status == screening.Status.CANCELLED else "CONFIRMED")
    # A moved or cancelled screening updates the same event in a calendar that imported or subscribed to it:
    # its SEQUENCE counts the screening's saves kept in its history, LAST-MODIFIED is its last save.
    event.add("sequence", sequence)
    changed = saved_at(screening.version)
    if changed is not None:
        event.add("last-modified", changed)
    if screening.section is not None:
        event.add("categories", [str(translated(screening.section, "name"))])
    return event


def build_calendar(screenings, request, *, name):
    """A ``Calendar`` with one ``VEVENT`` per screening and the time zones (``VTIMEZONE``) their times use."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = name
    stamp = timezone.now()
    screenings = with_guests(with_films(screenings))
    sequences = saves_kept(screenings)
    for screening in screenings:
        calendar.add_component(screening_event(screening, request, stamp, sequences.get(screening.pk, 0)))
    calendar.add_missing_timezones()
    return calendar


def calendar_response(screenings, request, *, name, filename):
    """The calendar as a download: ``text/calendar; charset=utf-8`` with a file name."""
    calendar = build_calendar(screenings, request, name=name)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def subscription(request, path):
    """A calendar's address for a calendar app to subscribe to (and poll): ``webcal://`` and the same as
    ``https://`` (``http://`` where the site is served so), for apps that take only one of them."""
    address = request.build_absolute_uri(path)
    return {"webcal": "webcal://" + address.split("://", 1)[1], "web": address}
