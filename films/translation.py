"""Which fields are translated (django-modeltranslation adds a column per language)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Award,
    AwardResult,
    Edition,
    Festival,
    Film,
    FilmImage,
    Person,
    Screening,
    Section,
    Tag,
    Venue,
)


@register(Festival)
class FestivalTranslation(TranslationOptions):
    fields = ("name",)


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("name",)


@register(Section)
class SectionTranslation(TranslationOptions):
    fields = ("name", "description", "jury_statement")


@register(Venue)
class VenueTranslation(TranslationOptions):
    fields = ("accessibility",)


@register(Tag)
class TagTranslation(TranslationOptions):
    fields = ("name",)


@register(Film)
class FilmTranslation(TranslationOptions):
    fields = ("title", "tagline", "synopsis")


@register(FilmImage)
class FilmImageTranslation(TranslationOptions):
    fields = ("caption",)


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("bio",)


@register(Screening)
class ScreeningTranslation(TranslationOptions):
    fields = ("note",)


@register(Award)
class AwardTranslation(TranslationOptions):
    fields = ("name",)


@register(AwardResult)
class AwardResultTranslation(TranslationOptions):
    fields = ("citation",)
