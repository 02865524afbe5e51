"""Festivals, their editions and sections, and the venues and screens they play in."""

import datetime
import functools
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from ..codes import country_choices, timezone_choices
from ..fields import ColourField, KeyField, colour_constraint, field_error, key_constraint
from ..identity import validate_typeface
from ..images import validate_image_upload
from .versioned import Versioned

# When award results become public (the embargo). One rule, here, in Python (``announcement_time``) and as a
# query (``results_public_q``): a competition's own announcement time, else its edition's, else the end of the
# edition's last day in the edition's time zone (midnight at the start of the day after), so that an archive
# edition imported with its results and no announcement time shows its palmarès.


def announcement_time(section_time, edition):
    """When the results of a competition whose own announcement time is ``section_time`` (or None) become
    public: that time, else the edition's, else the end of the edition's last day."""
    return section_time or edition.results_announced_at or edition.last_day_ends_at


class LocalDate(models.Func):
    """The calendar date of the moment ``moment`` in the IANA time zone ``zone`` (an expression, e.g. a column).

    PostgreSQL converts with ``AT TIME ZONE``; SQLite, which knows no time zones, calls ``sqlite_local_date``
    (registered on each of its connections below). Both read the same IANA data as Python here.
    """

    function = "festival_local_date"
    arity = 2
    output_field = models.DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, zone = (compiler.compile(expression) for expression in self.get_source_expressions())
        sql = f"CAST((CAST({moment[0]} AS timestamptz) AT TIME ZONE {zone[0]}) AS date)"
        return sql, (*moment[1], *zone[1])


@functools.cache
def _zone(name):
    try:
        return ZoneInfo(name)
    except (ValueError, LookupError):  # ZoneInfoNotFoundError is a KeyError.
        return None


def sqlite_local_date(moment, zone):
    """``LocalDate`` on SQLite: ``moment`` as SQLite stores it (UTC, naive, ISO 8601), ``zone`` a zone's name."""
    tz = _zone(zone) if moment and zone else None
    if tz is None:
        return None
    return datetime.datetime.fromisoformat(moment).replace(tzinfo=datetime.UTC).astimezone(tz).date().isoformat()


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "festival_local_date",  # pragma: no mutate - SQLite's function names ignore case
            2,
            sqlite_local_date,
            deterministic=True,  # pragma: no mutate - it only lets SQLite reuse a result
        )


connection_created.connect(_register_sqlite_functions, dispatch_uid="festival-sqlite-local-date")


def last_day_over_q(now, prefix):
    """A filter for editions (``prefix``: the path to the edition, e.g. ``"award__edition__"``) whose last day
    has ended at ``now`` in their own time zone: the local date of ``now`` there is after ``end_date``.

    ``now`` reaches the SQL as a parameter only.
    """
    local_today = LocalDate(Value(now), F(f"{prefix}timezone"))
    return Q(**{f"{prefix}end_date__lt": local_today})


def results_public_q(now, section, edition):
    """A filter for the competitions whose results are public at ``now`` (``announcement_time`` as a query).
    ``section`` and ``edition`` are the paths to the section and its edition, e.g. ``"award__section__"`` and
    ``"award__edition__"``."""
    own, editions = f"{section}results_announced_at", f"{edition}results_announced_at"
    return (
        Q(**{f"{own}__lte": now})
        | Q(**{f"{own}__isnull": True, f"{editions}__lte": now})
        | (Q(**{f"{own}__isnull": True, f"{editions}__isnull": True}) & last_day_over_q(now, edition))
    )


class Festival(models.Model):
    """Any festival: the one this site runs, and those that appear in a film's history."""

    key = KeyField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, choices=country_choices)
    # The site's identity, when this is the festival the site runs (films.identity): set here, not in templates.
    logo = models.ImageField(
        _("logo"),
        upload_to="festivals/logos/",
        blank=True,
        validators=[validate_image_upload],
        help_text=_("Shown in the site's header, 40 pixels high, before the festival's name. PNG, JPEG or WebP."),
    )
    brand_colour = ColourField(
        _("brand colour"),
        help_text=_("The header's and the buttons' colour, such as #0b4f8a; empty for the site's own blue."),
    )
    typeface = models.FileField(
        _("typeface"),
        upload_to="festivals/typefaces/",
        blank=True,
        validators=[validate_typeface],
        help_text=_("A WOFF2 font file for the headings; empty for the system's fonts."),
    )

    class Meta:
        verbose_name = _("festival")
        verbose_name_plural = _("festivals")
        ordering = ["name"]
        constraints = [key_constraint("festival"), colour_constraint("festival", "brand_colour")]

    def __str__(self):
        return self.short_name or self.name


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True).select_related("festival")


class Edition(Versioned):
    festival = models.ForeignKey(
        Festival,
        on_delete=models.PROTECT,
        related_name="editions",
        verbose_name=_("festival"),
    )
    key = KeyField(unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=timezone_choices,
        help_text=_("IANA time zone in which the edition's screenings are shown, e.g. Europe/Amsterdam."),
    )
    published = models.BooleanField(_("published"), default=False)
    results_announced_at = models.DateTimeField(
        _("results announced at"),
        null=True,
        blank=True,
        help_text=_(
            "Until this moment award results are visible to staff only. "
            "Empty: not announced yet. A competition may set its own time."
        ),
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-start_date", "key"]
        constraints = [
            key_constraint("edition"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="edition_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2200),
                name="edition_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name or self.key

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise field_error(
                "end_date",
                _("The last day (%(end)s) is before the first day (%(start)s)."),
                end=self.end_date,
                start=self.start_date,
            )
        if self.start_date and self.year and self.start_date.year not in (self.year, self.year - 1, self.year + 1):
            raise field_error(
                "year",
                _("The edition's year %(year)s does not match its first day %(start)s."),
                year=self.year,
                start=self.start_date,
            )

    @property
    def tzinfo(self):
        return ZoneInfo(self.timezone)

    def local_date(self, moment):
        """The calendar day on which ``moment`` falls in the edition's time zone."""
        return moment.astimezone(self.tzinfo).date()

    def day_bounds(self, day):
        """The aware start and end of ``day`` in the edition's time zone."""
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=self.tzinfo)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.tzinfo)
        return start, end

    @property
    def last_day_ends_at(self):
        """The end of the edition's last day in its time zone: midnight at the start of the day after."""
        return self.day_bounds(self.end_date)[1]

    @property
    def results_public_at(self):
        """When the results of a competition without its own announcement time become public."""
        return announcement_time(None, self)

    def days(self):
        day = self.start_date
        while day <= self.end_date:
            yield day
            day += datetime.timedelta(days=1)


class SectionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True, edition__published=True)


class Section(Versioned):
    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("edition"),
    )
    key = KeyField()
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    competitive = models.BooleanField(
        _("competitive"),
        default=False,
        help_text=_("A competitive section is a competition with awards."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    colour = ColourField(
        _("colour"),
        help_text=_(
            "Marks the section's screenings in the programme, the grid and its films' pages, such as "
            "#b3261e; empty for one of the site's own colours, by the section's order."
        ),
    )
    published = models.BooleanField(_("published"), default=False)
    curators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="curated_sections",
        verbose_name=_("curators"),
        help_text=_("Programmers limited to the sections they curate see only these in the admin."),
    )
    jury_statement = models.TextField(_("jury statement"), blank=True)
    results_announced_at = models.DateTimeField(
        _("results announced at"),
        null=True,
        blank=True,
        help_text=_("For a competition announced at its own time; empty means the edition's announcement time."),
    )

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["edition", "order", "key"]
        constraints = [
            key_constraint("section"),
            models.UniqueConstraint(fields=["edition", "key"], name="section_key_unique_in_edition"),
            colour_constraint("section", "colour"),
        ]

    def __str__(self):
        return self.name or self.key

    @property
    def announcement_time(self):
        """When this section's award results become public (see ``announcement_time`` above)."""
        return announcement_time(self.results_announced_at, self.edition)

    @property
    def announcement_source(self):
        """Which time ``announcement_time`` is: ``"section"``, ``"edition"`` or ``"last-day"``."""
        if self.results_announced_at:
            return "section"
        return "edition" if self.edition.results_announced_at else "last-day"


class Venue(models.Model):
    key = KeyField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_("Step-free access, hearing loops, accessible toilets and the like."),
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "key"]
        constraints = [key_constraint("venue")]

    def __str__(self):
        return self.name


class TravelTime(models.Model):
    """Minutes a guest needs between two venues, entered once per pair (in either order)."""

    from_venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="travel_times", verbose_name=_("from venue")
    )
    to_venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", verbose_name=_("to venue"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))

    class Meta:
        verbose_name = _("travel time")
        verbose_name_plural = _("travel times")
        ordering = ["from_venue", "to_venue"]
        constraints = [
            models.UniqueConstraint(fields=["from_venue", "to_venue"], name="travel_time_once_per_pair"),
            models.CheckConstraint(condition=Q(from_venue__lt=F("to_venue")), name="travel_time_pair_in_order"),
        ]

    def __str__(self):
        return f"{self.from_venue} – {self.to_venue}: {self.minutes}"

    def save(self, *args, **kwargs):
        self.put_pair_in_order()
        super().save(*args, **kwargs)

    def clean(self):
        if self.from_venue_id and self.from_venue_id == self.to_venue_id:
            raise ValidationError({"to_venue": _("Choose another venue: within a venue there is no travel.")})
        self.put_pair_in_order()  # Before the uniqueness check: a pair entered the other way round is the same.

    def put_pair_in_order(self):
        """Once per pair: stored with the lower venue first, whichever way it was entered."""
        if self.from_venue_id and self.to_venue_id and self.from_venue_id > self.to_venue_id:
            self.from_venue_id, self.to_venue_id = self.to_venue_id, self.from_venue_id


class Screen(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="screens", verbose_name=_("venue"))
    key = KeyField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    wheelchair_spaces = models.PositiveSmallIntegerField(_("wheelchair spaces"), default=0)
    step_free = models.BooleanField(
        _("step-free access"), default=False, help_text=_("From the street to a seat without steps.")
    )
    changeover_minutes = models.PositiveSmallIntegerField(
        _("changeover (minutes)"),
        default=15,
        help_text=_("Time the screen needs between two screenings: cleaning, letting the audience out and in."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("screen")
        verbose_name_plural = _("screens")
        ordering = ["venue__name", "order", "name"]
        constraints = [
            key_constraint("screen"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(wheelchair_spaces__lte=F("capacity")),
                name="screen_wheelchair_spaces_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(changeover_minutes__lte=240),
                name="screen_changeover_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Screenings store the moment their screen is free again; keep it in step with the changeover.
        from .screening import Screening

        Screening.objects.filter(screen=self).exclude(
            blocked_until=F("ends_at") + datetime.timedelta(minutes=self.changeover_minutes)
        ).update(blocked_until=F("ends_at") + datetime.timedelta(minutes=self.changeover_minutes))

    def clean(self):
        super().clean()
        if self.capacity is not None and self.wheelchair_spaces > self.capacity:
            raise field_error(
                "wheelchair_spaces",
                _("%(spaces)s wheelchair spaces do not fit in a screen for %(capacity)s."),
                spaces=self.wheelchair_spaces,
                capacity=self.capacity,
            )
