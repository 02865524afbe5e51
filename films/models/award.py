"""Awards of a competitive section and their results."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import KeyField, key_constraint


class Award(models.Model):
    edition = models.ForeignKey(
        "films.Edition",
        on_delete=models.CASCADE,
        related_name="awards",
        verbose_name=_("edition"),
    )
    section = models.ForeignKey(
        "films.Section",
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("competitive section"),
    )
    key = KeyField()
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["edition", "order", "key"]
        constraints = [
            key_constraint("award"),
            models.UniqueConstraint(fields=["edition", "key"], name="award_key_unique_in_edition"),
        ]

    def __str__(self):
        return self.name or self.key

    def clean(self):
        super().clean()
        if self.section_id:
            if not self.section.competitive:
                raise ValidationError(
                    {
                        "section": ValidationError(
                            _("“%(section)s” is not competitive; awards belong to a competitive section."),
                            code="not_competitive",
                            params={"section": self.section},
                        )
                    }
                )
            if self.edition_id and self.section.edition_id != self.edition_id:
                raise ValidationError(
                    {
                        "section": ValidationError(
                            _("The section “%(section)s” belongs to another edition."),
                            code="section_edition",
                            params={"section": self.section},
                        )
                    }
                )


class AwardResultKind(models.TextChoices):
    WINNER = "winner", _("Winner")
    SPECIAL_MENTION = "special-mention", _("Special mention")


class AwardResult(models.Model):
    Kind = AwardResultKind

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="results", verbose_name=_("award"))
    film = models.ForeignKey(
        "films.Film",
        on_delete=models.PROTECT,
        related_name="award_results",
        verbose_name=_("film"),
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

    class Meta:
        verbose_name = _("award result")
        verbose_name_plural = _("award results")
        ordering = ["award", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AwardResultKind.values),
                name="award_result_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["award", "film"],
                condition=Q(person__isnull=True),
                name="award_result_film_once",
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

        if not Selection.objects.filter(section_id=self.award.section_id, film_id=self.film_id).exists():
            raise ValidationError(
                {
                    "film": ValidationError(
                        _("“%(film)s” is not selected in “%(section)s”, so it cannot receive “%(award)s”."),
                        code="film_not_selected",
                        params={
                            "film": self.film,
                            "section": self.award.section,
                            "award": self.award,
                        },
                    )
                }
            )
        if self.person_id and not self.film.credits.filter(person_id=self.person_id).exists():
            raise ValidationError(
                {
                    "person": ValidationError(
                        _("%(person)s is not credited on “%(film)s”."),
                        code="person_not_credited",
                        params={"person": self.person, "film": self.film},
                    )
                }
            )
