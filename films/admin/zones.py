"""Moments in the admin are entered and read in the edition's time zone, and the zone is named beside them.

Django's date and time widgets read and write in the *current* time zone, so an admin whose records belong to
an edition (the edition itself, its sections, its screenings) activates the edition's zone around its change
view: ``EditionTimeZoneMixin``. Each of its ``zoned_fields`` says in its help text which zone it is in.

The admin's JavaScript compares the browser's UTC offset with the page's (the ``data-admin-utc-offset``
attribute of ``<body>``, which Django's ``admin/base.html`` writes outside any block) and adds "You are N hours
behind server time" under every date and time field when they differ. On these forms the times are the
edition's, whatever the browser's or the server's zone, so the mixin leaves the attribute out of the page; the
JavaScript then neither warns nor shifts "Now" and "Today" (they take the browser's clock).

The sentences saying when a competition's results become public (the rule: ``films.models.festival``) are here
too: the section and edition forms and the results page say the same.
"""

import re
from zoneinfo import ZoneInfo

from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext

from ..codes import timezone_names
from ..models import Edition

UTC_OFFSET_ATTRIBUTE = re.compile(rb'\s*data-admin-utc-offset="[^"]*"')


def edition_timezone_name(edition_id):
    """The time zone of the edition with primary key ``edition_id`` (as posted or in an address), or None."""
    if not str(edition_id or "").isdigit():
        return None
    return Edition.objects.filter(pk=edition_id).values_list("timezone", flat=True).first()


def valid_timezone_name(name):
    return name if name in timezone_names() else None


def local_moment(moment, edition):
    """``18 Nov 2023, 19:00`` in the edition's time zone."""
    return date_format(timezone.localtime(moment, edition.tzinfo), "j M Y, H:i")


def end_of_last_day(edition):
    """``19 Nov 2023, 24:00``: the end of the edition's last day, on that day's date."""
    return f"{date_format(edition.end_date, 'j M Y')}, 24:00"


def results_public_notice(edition, section=None, now=None):
    """When the results of ``section`` (or of the edition's competitions without their own time) become public:
    its own time, else the edition's, else the end of the edition's last day, in the edition's zone."""
    source = section.announcement_source if section is not None else None
    if source is None:
        source = "edition" if edition.results_announced_at else "last-day"
    moment = section.announcement_time if section is not None else edition.results_public_at
    future = moment > (now or timezone.now())
    params = {
        "time": end_of_last_day(edition) if source == "last-day" else local_moment(moment, edition),
        "timezone": edition.timezone,
    }
    if source == "section":
        if future:
            text = gettext("Results are embargoed until %(time)s (%(timezone)s), this competition’s own time.")
        else:
            text = gettext(
                "Results were announced at %(time)s (%(timezone)s), this competition’s own time, and are public."
            )
    elif source == "edition":
        if future:
            text = gettext("Results are embargoed until %(time)s (%(timezone)s), the edition’s announcement time.")
        else:
            text = gettext(
                "Results were announced at %(time)s (%(timezone)s), the edition’s announcement time, and are public."
            )
    elif future:
        text = gettext(
            "No announcement time is set: results become public at %(time)s (%(timezone)s), the end of the "
            "edition’s last day."
        )
    else:
        text = gettext(
            "No announcement time is set: results became public at %(time)s (%(timezone)s), the end of the "
            "edition’s last day."
        )
    return text % params


class EditionTimeZoneMixin:
    """A change form whose ``zoned_fields`` (date-time fields) are entered and shown in an edition's time zone.

    ``edition_timezone(request, object_id)`` names the zone: the edition posted (on a POST), else the record's
    stored edition, else the edition in the address (``?edition=<id>`` on an add form). The form is built and
    rendered with that zone active, each zoned field's help text names it, and the page carries no
    ``data-admin-utc-offset`` (see the module's docstring).
    """

    zoned_fields = {}  # {field name: a note added after the zone's, or ""}
    zone_unknown_note = ""

    def edition_timezone(self, request, object_id):
        raise NotImplementedError

    def stored_timezone(self, object_id, path):
        """The zone stored for the record ``object_id`` at ``path`` (e.g. ``"edition__timezone"``), or None."""
        try:
            return self.model.objects.filter(pk=unquote(object_id)).values_list(path, flat=True).first()
        except (ValueError, ValidationError):
            return None

    def zone_note(self, request):
        name = getattr(request, "edition_timezone", None)
        if not name:
            return str(self.zone_unknown_note)
        return gettext("Local time in %(timezone)s, the edition’s time zone.") % {"timezone": name}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.zoned_fields:
            note = self.zone_note(request)
            if self.zoned_fields[db_field.name]:
                note += " " + str(self.zoned_fields[db_field.name])
            field.help_text = escape(note)  # The admin shows help text as HTML; "?edition=<id>" is text.
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        name = self.edition_timezone(request, object_id)
        request.edition_timezone = name
        zone = ZoneInfo(name) if name else timezone.get_current_timezone()
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # While the edition's time zone is active.
        if getattr(response, "content", None) and "html" in response.get("Content-Type", ""):
            response.content = UTC_OFFSET_ATTRIBUTE.sub(b"", response.content, count=1)
        return response


def results_public_line(obj, edition_of):
    """The read-only line of a section or edition form saying when its results become public (or will)."""
    try:
        edition = edition_of(obj) if obj is not None else None
    except ObjectDoesNotExist:
        edition = None
    if edition is None or not edition.end_date or not valid_timezone_name(edition.timezone):
        return gettext("Shown once saved.")
    return results_public_notice(edition, obj if edition is not obj else None)
