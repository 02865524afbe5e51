"""Screenings: one or more films (a shorts programme is one screening) on a screen at a time."""

import datetime

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..fields import CodeListField, KeyField, field_error, key_constraint
from .versioned import Versioned


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL only.

    On SQLite the same rule is kept by triggers (``films/db.py``); on both, the model's
    ``clean()`` checks it first with a message that names the clashing screening,
    so ``validate()`` adds nothing here.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=None):
        return


class ScreeningQuerySet(models.QuerySet):
    def published(self):
        """Screenings the public may see: published, in a published edition and section, of published films only."""
        from .film import Film

        unpublished_film = Film.objects.filter(screening_films__screening=OuterRef("pk"), published=False)
        return self.filter(
            Q(section__isnull=True) | Q(section__published=True),
            published=True,
            edition__published=True,
        ).exclude(Exists(unpublished_film))

    def on_day(self, edition, day):
        """Screenings that start on ``day`` in ``edition``'s time zone."""
        start, end = edition.day_bounds(day)
        return self.filter(edition=edition, starts_at__gte=start, starts_at__lt=end)

    def clashing_with(self, screening):
        """Other screenings in the same screen whose time, changeover included, overlaps ``screening``'s."""
        return (
            self.filter(
                screen_id=screening.screen_id,
                starts_at__lt=screening.blocked_until,
                blocked_until__gt=screening.starts_at,
            )
            .exclude(status=Screening.Status.CANCELLED)
            .exclude(pk=screening.pk)
        )


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRESS = "press", _("Press")
    INDUSTRY = "industry", _("Industry")
    ONLINE = "online", _("Online")


class ScreeningStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SOLD_OUT = "sold-out", _("Sold out")
    CANCELLED = "cancelled", _("Cancelled")


class Screening(Versioned):
    Audience = Audience
    Status = ScreeningStatus

    edition = models.ForeignKey(
        "films.Edition",
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name=_("edition"),
    )
    key = KeyField()
    screen = models.ForeignKey(
        "films.Screen",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("screen"),
        help_text=_("Leave empty only for online screenings."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # When the screen is free again: ends_at plus the screen's changeover. Kept by save().
    blocked_until = models.DateTimeField(_("screen free again at"), editable=False)
    section = models.ForeignKey(
        "films.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("section"),
    )
    films = models.ManyToManyField(
        "films.Film",
        through="films.ScreeningFilm",
        related_name="screenings",
        verbose_name=_("films"),
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    subtitles = CodeListField(_("subtitles"), kind="language")
    ticket_url = models.URLField(_("ticket link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    available_from = models.DateTimeField(_("online from"), null=True, blank=True)
    available_until = models.DateTimeField(_("online until"), null=True, blank=True)
    online_countries = CodeListField(
        _("online in countries"),
        kind="country",
        help_text=_("Where an online screening may be watched (ISO codes, e.g. NL, BE); empty means everywhere."),
    )
    published = models.BooleanField(_("published"), default=False)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        help_text=_("The youngest age admitted; empty for all ages. Young audiences' screenings must end early."),
    )
    # Access for everyone: what this screening offers (step-free access comes from its screen).
    audio_description = models.BooleanField(_("audio description"), default=False)
    captions = models.BooleanField(_("captions for the deaf and hard of hearing"), default=False)
    sign_language = models.BooleanField(_("sign-language interpretation"), default=False)
    relaxed = models.BooleanField(
        _("relaxed screening"), default=False, help_text=_("Lights dimmed, sound lower, free to move and leave.")
    )

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["edition", "starts_at"], name="screening_edition_start_idx"),
            models.Index(fields=["screen", "starts_at"], name="screening_screen_start_idx"),
        ]
        constraints = [
            key_constraint("screening"),
            models.UniqueConstraint(fields=["edition", "key"], name="screening_key_unique_in_edition"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="screening_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("ends_at")),
                name="screening_blocked_until_after_end",
            ),
            models.CheckConstraint(
                condition=Q(screen__isnull=False) | Q(audience="online"),
                name="screening_screen_required_unless_online",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gt=F("available_from")),
                name="screening_online_window_in_order",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="screening_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScreeningStatus.values),
                name="screening_status_valid",
            ),
            PostgresExclusionConstraint(
                name="screening_no_overlap_in_screen",
                expressions=[
                    (
                        TsTzRange("starts_at", "blocked_until", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                    ("screen", RangeOperators.EQUAL),
                ],
                condition=~Q(status="cancelled"),
            ),
        ]

    def __str__(self):
        moment = timezone.localtime(self.starts_at, self.edition.tzinfo) if self.starts_at and self.edition_id else None
        where = self.screen.name if self.screen_id else _("Online")
        return f"{self.key}: {date_format(moment, 'SHORT_DATETIME_FORMAT') if moment else '?'}, {where}"

    def save(self, *args, **kwargs):
        self.blocked_until = self.compute_blocked_until()
        if kwargs.get("update_fields") is not None and {"ends_at", "screen"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "blocked_until"}
        super().save(*args, **kwargs)

    def compute_blocked_until(self):
        if self.ends_at is None:
            return None
        changeover = self.screen.changeover_minutes if self.screen_id else 0
        return self.ends_at + datetime.timedelta(minutes=changeover)

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = ValidationError(_("A screening must end after it starts."), code="ends_before_start")
        if not self.screen_id and self.audience != self.Audience.ONLINE:
            errors["screen"] = ValidationError(
                _("Choose a screen; only online screenings have none."),
                code="screen_required",
            )
        if self.available_from and self.available_until and self.available_until <= self.available_from:
            errors["available_until"] = ValidationError(
                _("The online window must close after it opens."), code="online_window"
            )
        if self.edition_id:
            edition = self.edition
            if self.section_id and self.section.edition_id != self.edition_id:
                errors["section"] = ValidationError(
                    _("The section “%(section)s” belongs to %(other)s, not to %(edition)s."),
                    code="section_edition",
                    params={
                        "section": self.section,
                        "other": self.section.edition,
                        "edition": edition,
                    },
                )
            if self.starts_at:
                local_day = edition.local_date(self.starts_at)
                if not edition.start_date <= local_day <= edition.end_date:
                    errors["starts_at"] = ValidationError(
                        _(
                            "The screening starts on %(day)s (%(timezone)s), outside %(edition)s, "
                            "which runs from %(start)s to %(end)s."
                        ),
                        code="outside_edition",
                        params={
                            "day": local_day.isoformat(),
                            "timezone": edition.timezone,
                            "edition": edition,
                            "start": edition.start_date.isoformat(),
                            "end": edition.end_date.isoformat(),
                        },
                    )
        if errors:
            raise ValidationError(errors)
        self.check_clash()

    def check_clash(self):
        """Raise ValidationError naming the screening this one overlaps in its screen, changeover included."""
        if not (self.screen_id and self.starts_at and self.ends_at) or self.status == self.Status.CANCELLED:
            return
        self.blocked_until = self.compute_blocked_until()
        other = Screening.objects.clashing_with(self).select_related("edition", "screen").order_by("starts_at").first()
        if other is None:
            return
        tz = other.edition.tzinfo
        raise field_error(
            "starts_at",
            _(
                "This screening clashes with screening “%(key)s” (%(films)s) in %(screen)s, "
                "%(start)s–%(end)s (%(timezone)s); the screen needs %(changeover)s minutes between screenings."
            ),
            code="clash",
            key=other.key,
            films=", ".join(film.display_title for film in other.films.all()) or "–",
            screen=other.screen.name,
            start=timezone.localtime(other.starts_at, tz).strftime("%Y-%m-%d %H:%M"),
            end=timezone.localtime(other.ends_at, tz).strftime("%H:%M"),
            timezone=other.edition.timezone,
            changeover=self.screen.changeover_minutes,
        )

    def runtime_minutes(self):
        return round((self.ends_at - self.starts_at).total_seconds() / 60)


class ScreeningFilm(models.Model):
    """A film in a screening, in running order."""

    screening = models.ForeignKey(
        Screening,
        on_delete=models.CASCADE,
        related_name="screening_films",
        verbose_name=_("screening"),
    )
    film = models.ForeignKey(
        "films.Film",
        on_delete=models.CASCADE,  # A deleted film leaves its screenings; its history can bring both back.
        related_name="screening_films",
        verbose_name=_("film"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("film in screening")
        verbose_name_plural = _("films in screening")
        ordering = ["screening", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["screening", "film"], name="screening_film_once")]

    def __str__(self):
        return str(self.film)


class ScreeningGuest(models.Model):
    """A person attending a screening for an introduction, a Q&A or both (a director, an actor, a producer)."""

    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, related_name="guests", verbose_name=_("screening")
    )
    person = models.ForeignKey(
        "films.Person", on_delete=models.CASCADE, related_name="appearances", verbose_name=_("person")
    )
    intro = models.BooleanField(_("introduction"), default=False)
    qa = models.BooleanField(_("Q&A"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["screening", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "person"], name="screening_guest_once"),
            models.CheckConstraint(
                condition=Q(intro=True) | Q(qa=True),
                name="screening_guest_intro_or_qa",
                violation_error_message=_("A guest attends for an introduction, a Q&A or both: tick at least one."),
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.screening.key}"
