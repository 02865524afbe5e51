"""Films, their titles, images and selections, and their history at other festivals."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..codes import language_choices
from ..fields import CodeListField, KeyField, field_error, key_constraint
from ..images import rendition_names, store_renditions, validate_image_upload
from ..search import film_search_text, film_title_fields, normalise
from .labels import choice_label
from .versioned import Versioned

EARLIEST_FILM_YEAR = 1888
LONGEST_RUNTIME_MINUTES = 1500  # Longer than any film a festival has shown (the longest run about 14 hours).

logger = logging.getLogger(__name__)


class Tag(models.Model):
    key = KeyField(unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["key"]
        constraints = [key_constraint("tag")]

    def __str__(self):
        return self.name or self.key


class FilmQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def search(self, text):
        """Films with a title (any language, script or transliteration, further titles) containing ``text``,
        ignoring case and accents."""
        needle = normalise(text)
        return self.filter(search_text__contains=needle) if needle else self.none()


class FilmForm(models.TextChoices):
    FICTION = "fiction", _("Fiction")
    DOCUMENTARY = "documentary", _("Documentary")
    ANIMATION = "animation", _("Animation")
    EXPERIMENTAL = "experimental", _("Experimental")
    HYBRID = "hybrid", _("Hybrid")


class FilmColour(models.TextChoices):
    COLOUR = "colour", _("Colour")
    BLACK_AND_WHITE = "black-and-white", _("Black and white")
    MIXED = "mixed", _("Colour and black and white")


class Film(Versioned):
    Form = FilmForm
    Colour = FilmColour

    key = KeyField(unique=True)
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("The title the festival shows in each language."),
    )
    original_title = models.CharField(
        _("original title"),
        max_length=300,
        blank=True,
        help_text=_("In the original script, e.g. Ми не згаснемо."),
    )
    original_title_latin = models.CharField(
        _("original title, transliterated"),
        max_length=300,
        blank=True,
        help_text=_("The original title in Latin letters, e.g. My ne zgasnemo."),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    runtime_minutes = models.PositiveSmallIntegerField(_("runtime (minutes)"), null=True, blank=True)
    countries = CodeListField(_("countries"), kind="country")
    spoken_languages = CodeListField(_("spoken languages"), kind="language")
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="films", verbose_name=_("tags"))
    tagline = models.CharField(_("tagline"), max_length=500, blank=True)
    synopsis = models.TextField(_("synopsis"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        help_text=_("The festival's age recommendation, in years."),
    )
    aspect_ratio = models.CharField(_("aspect ratio"), max_length=20, blank=True, help_text=_("e.g. 1.85:1"))
    picture_format = models.CharField(
        _("picture format"),
        max_length=50,
        blank=True,
        help_text=_("e.g. HD, DCP, 35mm"),
    )
    colour = models.CharField(_("colour"), max_length=20, choices=Colour.choices, blank=True)
    published = models.BooleanField(_("published"), default=False)
    # Every title normalised for search (films/search.py); kept by save() and signals.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = FilmQuerySet.as_manager()

    class Meta:
        verbose_name = _("film")
        verbose_name_plural = _("films")
        ordering = ["key"]
        permissions = [("change_structure", _("Can change facts and structure, not only translated text"))]
        constraints = [
            key_constraint("film"),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=EARLIEST_FILM_YEAR, year__lte=2200),
                name="film_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(runtime_minutes__isnull=True)
                | Q(runtime_minutes__gte=1, runtime_minutes__lte=LONGEST_RUNTIME_MINUTES),
                name="film_runtime_plausible",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True) | Q(minimum_age__lte=21),
                name="film_minimum_age_plausible",
            ),
            models.CheckConstraint(condition=Q(form__in=["", *FilmForm.values]), name="film_form_valid"),
            models.CheckConstraint(
                condition=Q(colour__in=["", *FilmColour.values]),
                name="film_colour_valid",
            ),
        ]

    def __str__(self):
        return self.display_title

    def save(self, *args, **kwargs):
        further = self.other_titles.values_list("title", flat=True) if self.pk else []
        self.search_text = film_search_text({field: getattr(self, field) for field in film_title_fields()}, further)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        latest = datetime.date.today().year + 5
        if self.year is not None and not EARLIEST_FILM_YEAR <= self.year <= latest:
            raise field_error(
                "year",
                _("%(year)s is not a plausible year for a film; give a year from %(first)s to %(last)s."),
                year=self.year,
                first=EARLIEST_FILM_YEAR,
                last=latest,
            )
        if self.runtime_minutes is not None and not 1 <= self.runtime_minutes <= LONGEST_RUNTIME_MINUTES:
            raise field_error(
                "runtime_minutes",
                _("A runtime of %(minutes)s minutes is not plausible; give the length in minutes (1 to %(max)s)."),
                minutes=self.runtime_minutes,
                max=LONGEST_RUNTIME_MINUTES,
            )
        if self.minimum_age is not None and self.minimum_age > 21:
            raise field_error(
                "minimum_age",
                _("An age recommendation of %(age)s years is not plausible."),
                age=self.minimum_age,
            )

    @property
    def display_title(self):
        """The title in the active language, falling back to English, then to the original title."""
        return self.title or self.original_title_latin or self.original_title or self.key


class FilmTitle(models.Model):
    """A further title of a film, as other sources use it ("Expedition 49", "Мы не погаснем")."""

    film = models.ForeignKey(
        Film,
        on_delete=models.CASCADE,
        related_name="other_titles",
        verbose_name=_("film"),
    )
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=2, choices=language_choices)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("further title")
        verbose_name_plural = _("further titles")
        ordering = ["film", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["film", "title", "language"],
                name="film_title_unique_per_language",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"


class ImageKind(models.TextChoices):
    POSTER = "poster", _("Poster")
    STILL = "still", _("Still")


class FilmImage(models.Model):
    Kind = ImageKind

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="images", verbose_name=_("film"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STILL)
    image = models.ImageField(
        _("image"),
        upload_to="films/images/",
        blank=True,
        validators=[validate_image_upload],
        help_text=_("JPEG, PNG or WebP."),
    )
    source_url = models.URLField(
        _("source address"),
        max_length=2000,
        blank=True,
        help_text=_("Where a catalogue said the image can be fetched, if it was not fetched or uploaded."),
    )
    # As displayed: after EXIF orientation is applied (set by save()).
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    # The derived sizes (``films.images.store_renditions``): each width in WebP and JPEG, narrowest first, as
    # ``[{"width", "height", "webp": name, "jpeg": name}, ...]``; None while there are none. ``thumbnail`` and
    # ``display`` name two of its WebP files (the largest at most 320 pixels wide, and the largest).
    renditions = models.JSONField(_("renditions"), null=True, blank=True, editable=False)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="films/thumbnails/", blank=True, editable=False)
    display = models.ImageField(_("display size"), upload_to="films/display/", blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    photographer = models.CharField(_("photographer"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["film", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ImageKind.values), name="film_image_kind_valid"),
            models.CheckConstraint(condition=~Q(image="") | ~Q(source_url=""), name="film_image_file_or_source"),
        ]

    def __str__(self):
        return f"{choice_label(ImageKind, self.kind)} {self.order}: {self.film_id}"

    def save(self, *args, **kwargs):
        new_upload = self.image and not getattr(self.image, "_committed", True)
        if new_upload:
            # The original first, so that its renditions are named after its stored name ("poster_x7Qb-320.jpg").
            self.image.save(self.image.name, self.image.file, save=False)
            try:
                store_renditions(self)
            except BaseException:
                self.image.storage.delete(self.image.name)
                raise
        elif self.image and not self.renditions:
            # A file already stored (a catalogue naming one by its address, say) that has no renditions yet.
            try:
                store_renditions(self)
            except (OSError, ValidationError):
                logger.warning("No renditions of %s: its file is missing or not an acceptable image.", self.image.name)
        super().save(*args, **kwargs)

    def stored_names(self):
        """The names of every file of this image: the original and its renditions."""
        names = [self.image.name] if self.image else []
        for name in (*rendition_names(self.renditions), self.thumbnail.name, self.display.name):
            if name and name not in names:
                names.append(name)
        return names

    def clean(self):
        super().clean()
        if not self.image and not self.source_url:
            raise field_error("image", _("Upload an image or give the address it comes from."), code="required")


class SelectionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(film__published=True, section__published=True, section__edition__published=True)


class Premiere(models.TextChoices):
    WORLD = "world", _("World premiere")
    INTERNATIONAL = "international", _("International premiere")
    EUROPEAN = "european", _("European premiere")
    NATIONAL = "national", _("National premiere")
    REGIONAL = "regional", _("Regional premiere")


class Selection(models.Model):
    """A film selected in a section of an edition, with its premiere status there."""

    Premiere = Premiere

    section = models.ForeignKey(
        "films.Section",
        on_delete=models.CASCADE,
        related_name="selections",
        verbose_name=_("section"),
    )
    film = models.ForeignKey(
        Film,
        on_delete=models.CASCADE,  # A deleted film leaves its sections; its history can bring both back.
        related_name="selections",
        verbose_name=_("film"),
    )
    premiere = models.CharField(_("premiere"), max_length=20, choices=Premiere.choices, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = SelectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["section", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "film"], name="selection_film_once_per_section"),
            models.CheckConstraint(
                condition=Q(premiere__in=["", *Premiere.values]),
                name="selection_premiere_valid",
            ),
        ]

    def __str__(self):
        return f"{self.film} – {self.section}"


class CopyFormat(models.TextChoices):
    DCP = "dcp", _("DCP")
    FILE = "file", _("Digital file")
    PRINT_35 = "35mm", _("35 mm print")
    PRINT_16 = "16mm", _("16 mm print")
    OTHER = "other", _("Other")


class FilmCopy(models.Model):
    """The copies a festival holds of a film: one copy cannot play in two places at once."""

    Format = CopyFormat

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="copies", verbose_name=_("film"))
    format = models.CharField(_("format"), max_length=10, choices=CopyFormat.choices, default=CopyFormat.DCP)
    count = models.PositiveSmallIntegerField(_("how many"), default=1)

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["film", "format", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film", "format"], name="film_copy_format_once"),
            models.CheckConstraint(condition=Q(format__in=CopyFormat.values), name="film_copy_format_valid"),
            models.CheckConstraint(condition=Q(count__gte=1), name="film_copy_count_positive"),
        ]

    def __str__(self):
        return f"{self.count} × {choice_label(CopyFormat, self.format)}"


class FestivalHistoryEntry(models.Model):
    """A film's selection at another festival (or an earlier edition elsewhere), with its premiere and awards."""

    film = models.ForeignKey(
        Film,
        on_delete=models.CASCADE,
        related_name="festival_history",
        verbose_name=_("film"),
    )
    festival = models.ForeignKey(
        "films.Festival",
        on_delete=models.PROTECT,
        related_name="history_entries",
        verbose_name=_("festival"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(_("section"), max_length=200, blank=True)
    premiere = models.CharField(_("premiere"), max_length=20, choices=Premiere.choices, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("festival history entry")
        verbose_name_plural = _("festival history")
        ordering = ["film", "order", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(premiere__in=["", *Premiere.values]),
                name="history_premiere_valid",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=EARLIEST_FILM_YEAR, year__lte=2200),
                name="history_year_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.festival} {self.year}"


class FestivalHistoryAward(models.Model):
    entry = models.ForeignKey(
        FestivalHistoryEntry,
        on_delete=models.CASCADE,
        related_name="awards",
        verbose_name=_("festival history entry"),
    )
    name = models.CharField(_("award"), max_length=300)
    recipient = models.ForeignKey(
        "films.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="history_awards",
        verbose_name=_("recipient"),
        help_text=_("Leave empty when the award went to the film."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("award elsewhere")
        verbose_name_plural = _("awards elsewhere")
        ordering = ["entry", "order", "id"]

    def __str__(self):
        return self.name
