"""People and companies, and the credits that tie them to films."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from ..codes import country_choices
from ..fields import KeyField, key_constraint
from ..images import validate_image_upload
from ..search import joined, normalise
from .labels import choice_label


def take_names_as_aliases(keep, other, alias_model, owner_field):
    """Make ``other``'s name and aliases aliases of ``keep`` (a person or a company), each once.

    A name equal to ``keep``'s own or to one of its aliases is not added again; ``other``'s aliases go.
    """
    known = {keep.name, *keep.aliases.values_list("name", flat=True)}
    for alias in [other.name, *other.aliases.values_list("name", flat=True)]:
        if alias not in known:
            alias_model.objects.create(**{owner_field: keep, "name": alias})
            known.add(alias)
    other.aliases.all().delete()


def fill_gaps(keep, other, fields):
    """Copy each of ``fields`` that ``keep`` leaves empty from ``other`` (before ``keep`` is saved)."""
    for field in fields:
        if not getattr(keep, field) and getattr(other, field):
            setattr(keep, field, getattr(other, field))


class PersonQuerySet(models.QuerySet):
    def search(self, text):
        """People whose name or any alias contains ``text``, ignoring case and accents."""
        needle = normalise(text)
        return self.filter(search_text__contains=needle) if needle else self.none()


class Person(models.Model):
    key = KeyField(unique=True)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("As the person spells it; names are not translated."),
    )
    born_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    born_place = models.CharField(_("place of birth"), max_length=200, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="people/",
        blank=True,
        validators=[validate_image_upload],
        help_text=_("JPEG, PNG or WebP."),
    )
    photo_source_url = models.URLField(
        _("photo source address"),
        max_length=2000,
        blank=True,
        help_text=_("Where a catalogue said the photo can be fetched, if it was not fetched or uploaded."),
    )

    # Name and aliases normalised for search (films/search.py); kept by save() and signals.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "key"]
        constraints = [
            key_constraint("person"),
            models.CheckConstraint(
                condition=Q(born_year__isnull=True) | Q(born_year__gte=1800, born_year__lte=2200),
                name="person_born_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        aliases = self.aliases.values_list("name", flat=True) if self.pk else []
        self.search_text = joined([self.name, *aliases])
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @transaction.atomic
    def merge(self, other):
        """Fold ``other`` (the same person under another record) into this one; nothing is lost.

        Credits, filmography, guest appearances, awards and aliases move here; ``other``'s name becomes an alias
        and its empty-here facts (birth, bio, photo) fill this record's gaps.
        """
        if other.pk == self.pk:
            raise ValueError("A person cannot be merged into itself.")
        from .award import AwardResult
        from .film import FestivalHistoryAward

        for credit in other.credits.all():
            duplicate = Credit.objects.filter(film_id=credit.film_id, role=credit.role, person=self).first()
            if duplicate:
                if duplicate.company_id is None and credit.company_id:
                    duplicate.company_id = credit.company_id
                    duplicate.save(update_fields=["company"])
                credit.delete()
            else:
                credit.person = self
                credit.save(update_fields=["person"])
        other.filmography.update(person=self)
        for appearance in other.appearances.all():  # As a screening's guest: once per screening, roles joined.
            mine = self.appearances.filter(screening_id=appearance.screening_id).first()
            if mine:
                mine.intro, mine.qa = mine.intro or appearance.intro, mine.qa or appearance.qa
                mine.save(update_fields=["intro", "qa"])
                appearance.delete()
            else:
                appearance.person = self
                appearance.save(update_fields=["person"])
        AwardResult.objects.filter(person=other).update(person=self)
        FestivalHistoryAward.objects.filter(recipient=other).update(recipient=self)
        take_names_as_aliases(self, other, PersonAlias, "person")
        fill_gaps(self, other, ("born_year", "born_place", "photo"))
        for code, _name in settings.LANGUAGES:
            bio_field = build_localized_fieldname("bio", code)
            if not getattr(self, bio_field) and getattr(other, bio_field):
                setattr(self, bio_field, getattr(other, bio_field))
        self.save()
        other.delete()


class PersonAlias(models.Model):
    """Another spelling of a person's name that sources use ("Maria Nesterenko" for Mariia)."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["person", "name"]
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="person_alias_unique")]

    def __str__(self):
        return self.name


class FilmographyEntry(models.Model):
    """A work in a person's filmography; ``film`` links it when the work is in our catalogue."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="filmography",
        verbose_name=_("person"),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    english_title = models.CharField(_("English title"), max_length=300, blank=True)
    film = models.ForeignKey(
        "films.Film",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="filmography_entries",
        verbose_name=_("film in the catalogue"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("filmography entry")
        verbose_name_plural = _("filmography")
        ordering = ["person", "order", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1888, year__lte=2200),
                name="filmography_year_plausible",
            )
        ]

    def __str__(self):
        return f"{self.year} {self.title}" if self.year else self.title


class Company(models.Model):
    key = KeyField(unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("Company names are not translated."))
    city = models.CharField(_("city"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, choices=country_choices)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "key"]
        constraints = [key_constraint("company")]

    def __str__(self):
        return self.name

    @transaction.atomic
    def merge(self, other):
        """Fold ``other`` (the same company under another record) into this one; nothing is lost.

        Its company credits and the people credited for it move here, its name and aliases become aliases,
        and its city and country fill this record's gaps. A film crediting both records in the same role
        keeps this record's credit: the two say the same (a company is credited once per role and film).
        """
        if other.pk == self.pk:
            raise ValueError("A company cannot be merged into itself.")
        # The people credited "for" a company: the company is no part of their credits' uniqueness.
        Credit.objects.filter(company=other).update(company=self)
        credited = set(CompanyCredit.objects.filter(company=self).values_list("film_id", "role"))
        for credit in other.credits.all():
            if (credit.film_id, credit.role) in credited:
                credit.delete()
            else:
                credit.company = self
                credit.save(update_fields=["company"])
                credited.add((credit.film_id, credit.role))
        take_names_as_aliases(self, other, CompanyAlias, "company")
        fill_gaps(self, other, ("city", "country"))
        self.save()
        other.delete()


class CompanyAlias(models.Model):
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["company", "name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="company_alias_unique")]

    def __str__(self):
        return self.name


class CreditRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    SCREENPLAY = "screenplay", _("Screenplay")
    CINEMATOGRAPHY = "cinematography", _("Cinematography")
    EDITING = "editing", _("Editing")
    MUSIC = "music", _("Music")
    SOUND = "sound", _("Sound")
    PRODUCTION_DESIGN = "production-design", _("Production design")
    PRODUCER = "producer", _("Producer")
    CO_PRODUCER = "co-producer", _("Co-producer")
    CAST = "cast", _("Cast")


class Credit(models.Model):
    """A person's role on a film, optionally on behalf of a company ("Valery Kalmykov for Trueman Production")."""

    Role = CreditRole

    film = models.ForeignKey(
        "films.Film",
        on_delete=models.CASCADE,
        related_name="credits",
        verbose_name=_("film"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("person"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person_credits",
        verbose_name=_("for company"),
        help_text=_("The company the person is credited for, if any."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        ordering = ["film", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film", "role", "person"], name="credit_person_once_per_role"),
            models.CheckConstraint(condition=Q(role__in=CreditRole.values), name="credit_role_valid"),
        ]

    def __str__(self):
        if self.company_id:
            return _("%(role)s: %(person)s for %(company)s") % {
                "role": choice_label(CreditRole, self.role),
                "person": self.person,
                "company": self.company,
            }
        return f"{choice_label(CreditRole, self.role)}: {self.person}"


class CompanyRole(models.TextChoices):
    PRODUCTION = "production", _("Production")
    CO_PRODUCTION = "co-production", _("Co-production")
    TV_CHANNEL = "tv-channel", _("TV channel")
    WORLD_SALES = "world-sales", _("World sales")
    DISTRIBUTION = "distribution", _("Distribution")
    SCREENING_COPY = "screening-copy", _("Screening copy")


class CompanyCredit(models.Model):
    Role = CompanyRole

    film = models.ForeignKey(
        "films.Film",
        on_delete=models.CASCADE,
        related_name="company_credits",
        verbose_name=_("film"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("company"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("company credit")
        verbose_name_plural = _("company credits")
        ordering = ["film", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film", "role", "company"], name="company_credit_once_per_role"),
            models.CheckConstraint(
                condition=Q(role__in=CompanyRole.values),
                name="company_credit_role_valid",
            ),
        ]

    def __str__(self):
        return f"{choice_label(CompanyRole, self.role)}: {self.company}"
