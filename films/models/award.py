"""Competitions: the jury of a competitive section, its awards and their results."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..fields import KeyField, field_error, key_constraint
from .festival import results_public_q
from .labels import choice_label
from .versioned import Versioned


class JuryRole(models.TextChoices):
    PRESIDENT = "president", _("President")
    MEMBER = "member", _("Member")


class JuryMember(models.Model):
    """A person on the jury of a competition (a competitive section)."""

    Role = JuryRole

    section = models.ForeignKey(
        "films.Section", on_delete=models.CASCADE, related_name="jury", verbose_name=_("competition")
    )
    person = models.ForeignKey(
        "films.Person", on_delete=models.PROTECT, related_name="juries", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury")
        ordering = ["section", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "person"], name="jury_member_once"),
            models.UniqueConstraint(fields=["section"], condition=Q(role="president"), name="jury_one_president"),
            models.CheckConstraint(condition=Q(role__in=JuryRole.values), name="jury_role_valid"),
        ]

    def __str__(self):
        return f"{self.person} ({choice_label(JuryRole, self.role)})"

    def clean(self):
        super().clean()
        if self.section_id and not self.section.competitive:
            raise field_error(
                "section",
                _("“%(section)s” is not competitive; only competitions have a jury."),
                code="not_competitive",
                section=self.section,
            )
        if self.role == JuryRole.PRESIDENT and self.section_id:
            other = JuryMember.objects.filter(section_id=self.section_id, role=JuryRole.PRESIDENT).exclude(pk=self.pk)
            president = other.select_related("person").first()
            if president:
                raise field_error(
                    "role",
                    _("%(person)s already presides over this jury; a jury has one president."),
                    code="second_president",
                    person=president.person,
                )


class AwardRecipient(models.TextChoices):
    FILM = "film", _("A film")
    PERSON = "person", _("A person for a film")


class Award(Versioned):
    Recipient = AwardRecipient

    edition = models.ForeignKey(
        "films.Edition", on_delete=models.CASCADE, related_name="awards", verbose_name=_("edition")
    )
    section = models.ForeignKey(
        "films.Section", on_delete=models.PROTECT, related_name="awards", verbose_name=_("competitive section")
    )
    key = KeyField()
    name = models.CharField(_("name"), max_length=200)
    recipient = models.CharField(
        _("goes to"),
        max_length=10,
        choices=Recipient.choices,
        default=Recipient.FILM,
        help_text=_("A person award (best director, best cinematography) names a person credited on the film."),
    )
    ex_aequo = models.BooleanField(
        _("ex aequo allowed"), default=False, help_text=_("Allow more than one winner of this award.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["edition", "order", "key"]
        constraints = [
            key_constraint("award"),
            models.UniqueConstraint(fields=["edition", "key"], name="award_key_unique_in_edition"),
            models.CheckConstraint(condition=Q(recipient__in=AwardRecipient.values), name="award_recipient_valid"),
        ]

    def __str__(self):
        return self.name or self.key

    def clean(self):
        super().clean()
        if not self.section_id:
            return
        if not self.section.competitive:
            raise field_error(
                "section",
                _("“%(section)s” is not competitive; awards belong to a competitive section."),
                code="not_competitive",
                section=self.section,
            )
        if self.edition_id and self.section.edition_id != self.edition_id:
            raise field_error(
                "section",
                _("The section “%(section)s” belongs to another edition."),
                code="section_edition",
                section=self.section,
            )


class AwardResultKind(models.TextChoices):
    WINNER = "winner", _("Winner")
    SPECIAL_MENTION = "special-mention", _("Special mention")


class AwardResultQuerySet(models.QuerySet):
    def announced(self, now=None):
        """Results whose announcement time has passed: its competition's own time, else its edition's, else the
        end of the edition's last day (``films.models.festival.announcement_time``)."""
        now = now or timezone.now()
        return self.filter(results_public_q(now, section="award__section__", edition="award__edition__"))

    def public(self, now=None):
        """Announced results of published films in published editions: what any public channel may show."""
        return self.announced(now).filter(film__published=True, award__edition__published=True)


class AwardResult(models.Model):
    Kind = AwardResultKind

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="results", verbose_name=_("award"))
    film = models.ForeignKey(
        "films.Film", on_delete=models.PROTECT, related_name="award_results", verbose_name=_("film")
    )
    person = models.ForeignKey(
        "films.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_results",
        verbose_name=_("person"),
        help_text=_("For awards to a person for a film, such as best director."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WINNER)
    citation = models.TextField(_("citation"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = AwardResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("award result")
        verbose_name_plural = _("award results")
        ordering = ["award", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AwardResultKind.values), name="award_result_kind_valid"),
            models.UniqueConstraint(
                fields=["award", "film"], condition=Q(person__isnull=True), name="award_result_film_once"
            ),
            models.UniqueConstraint(
                fields=["award", "film", "person"],
                condition=Q(person__isnull=False),
                name="award_result_person_once",
            ),
        ]

    def __str__(self):
        return f"{self.award}: {self.film}"

    def clean(self):
        super().clean()
        if not (self.award_id and self.film_id):
            return
        from .film import Selection

        award = self.award
        if not Selection.objects.filter(section_id=award.section_id, film_id=self.film_id).exists():
            raise field_error(
                "film",
                _("“%(film)s” is not selected in “%(section)s”, so it cannot receive “%(award)s”."),
                code="film_not_selected",
                film=self.film,
                section=award.section,
                award=award,
            )
        if award.recipient == AwardRecipient.PERSON and not self.person_id:
            raise field_error(
                "person", _("“%(award)s” goes to a person: choose who."), code="person_required", award=award
            )
        if award.recipient == AwardRecipient.FILM and self.person_id:
            raise field_error(
                "person",
                _("“%(award)s” goes to a film; leave the person empty."),
                code="person_not_allowed",
                award=award,
            )
        if self.person_id and not self.film.credits.filter(person_id=self.person_id).exists():
            raise field_error(
                "person",
                _("%(person)s is not credited on “%(film)s”."),
                code="person_not_credited",
                person=self.person,
                film=self.film,
            )
        if self.kind == AwardResultKind.WINNER and not award.ex_aequo:
            winner = (
                AwardResult.objects.filter(award_id=award.pk, kind=AwardResultKind.WINNER)
                .exclude(pk=self.pk)
                .select_related("film")
                .first()
            )
            if winner:
                raise field_error(
                    "kind",
                    _("“%(award)s” already has a winner (%(film)s) and does not allow ex aequo."),
                    code="second_winner",
                    award=award,
                    film=winner.film,
                )
