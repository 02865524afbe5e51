"""Admin for films: titles, credits, images, selections and festival history on one page."""

import logging

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from ..codes import country_name
from ..models import (
    CompanyCredit,
    Credit,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmCopy,
    FilmImage,
    FilmTitle,
    Selection,
    Tag,
)
from .common import (
    CountryListFilter,
    CuratorMixin,
    PreloadedAutocompleteMixin,
    PreloadedInlineFormSet,
    PreloadedInlineMixin,
    TranslatorMixin,
    localized_fields,
)
from .history import EditConflictAdmin, HistoryAdmin

logger = logging.getLogger(__name__)


class StorageErrorMixin:
    """A failed write to the media storage (disk full, permissions) says so instead of a server error.

    The admin saves in one transaction, so nothing of the form is half-saved: the database is as it was
    before the save, and the form must be sent again.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:
            logger.exception("Storing an upload failed")
            self.message_user(
                request,
                _(
                    "The uploaded file could not be stored, so nothing was saved. "
                    "Please try again; if it keeps failing, tell the site’s administrator."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


class UniqueRowsFormSet(PreloadedInlineFormSet):
    """Refuses two rows that say the same thing, with a message naming them.

    ``row_fields`` are the fields that together must differ from row to row; ``duplicate_message``
    is filled with each field's value as displayed.
    """

    row_fields = ()
    duplicate_message = ""

    def clean(self):
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None)
            if not data or any(data.get(name) in (None, "") for name in self.row_fields):
                continue
            values = tuple(data[name] for name in self.row_fields)
            identity = tuple(getattr(value, "pk", value) for value in values)
            if identity in seen:
                shown = {}
                for name, value in zip(self.row_fields, values, strict=True):
                    field = form.fields[name]
                    choices = dict(getattr(field, "choices", ()) or ())
                    shown[name] = choices.get(value, value) if isinstance(value, str) else value
                raise ValidationError(self.duplicate_message, code="duplicate_row", params=shown)
            seen.add(identity)
        super().clean()


class CreditFormSet(UniqueRowsFormSet):
    row_fields = ("person", "role")
    duplicate_message = _("%(person)s is credited twice as %(role)s; remove one of the two rows.")


class CompanyCreditFormSet(UniqueRowsFormSet):
    row_fields = ("company", "role")
    duplicate_message = _("%(company)s is credited twice as %(role)s; remove one of the two rows.")


class FilmCopyInline(admin.TabularInline):
    model = FilmCopy
    fields = ("format", "count")
    extra = 0


class FilmTitleInline(admin.TabularInline):
    model = FilmTitle
    fields = ("title", "language", "order")
    extra = 0


class CreditInline(PreloadedInlineMixin, admin.TabularInline):
    model = Credit
    formset = CreditFormSet
    fields = ("role", "person", "company", "order")
    autocomplete_fields = ("person", "company")
    extra = 0


class CompanyCreditInline(PreloadedInlineMixin, admin.TabularInline):
    model = CompanyCredit
    formset = CompanyCreditFormSet
    fields = ("role", "company", "order")
    autocomplete_fields = ("company",)
    extra = 0


def image_preview(image):
    """An <img> of the derived thumbnail (or nothing while there is none)."""
    if not image.thumbnail:
        return "–"
    return format_html('<img src="{}" alt="{}" class="film-thumbnail">', image.thumbnail.url, image.caption or "")


class FilmImageInline(TranslationStackedInline):
    model = FilmImage
    fields = ("kind", "image", "preview", "caption", "photographer", "order")
    readonly_fields = ("preview",)
    extra = 0

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return image_preview(obj)


class SelectionInline(CuratorMixin, PreloadedInlineMixin, admin.TabularInline):
    model = Selection
    curated_section_lookup = "section"
    fields = ("section", "premiere", "order")
    autocomplete_fields = ("section",)
    extra = 0


class FestivalHistoryEntryInline(PreloadedInlineMixin, admin.TabularInline):
    model = FestivalHistoryEntry
    fields = ("festival", "year", "section", "premiere", "order")
    autocomplete_fields = ("festival",)
    show_change_link = True  # Its awards are edited on the entry's own page.
    extra = 0


@admin.register(Film)
class FilmAdmin(EditConflictAdmin, HistoryAdmin, StorageErrorMixin, TranslatorMixin, TabbedTranslationAdmin):
    list_display = ("title_column", "original_title", "year", "country_list", "form", "runtime_minutes", "published")
    list_display_links = ("title_column",)
    list_filter = (
        "selections__section__edition",
        "selections__section",
        CountryListFilter,
        "form",
        "year",
        "published",
    )
    search_fields = (
        "key",
        *localized_fields("title"),
        "original_title",
        "original_title_latin",
        "other_titles__title",
        "credits__person__name",
        "credits__person__aliases__name",
    )
    autocomplete_fields = ("tags",)
    prepopulated_fields = {"key": ("title_en",)}
    ordering = ("key",)
    fieldsets = (
        (_("Titles"), {"fields": ("key", "title", "original_title", "original_title_latin")}),
        (
            _("Facts"),
            {"fields": ("year", "runtime_minutes", "countries", "spoken_languages", "form", "tags", "minimum_age")},
        ),
        (_("Picture"), {"fields": ("aspect_ratio", "picture_format", "colour")}),
        (_("Texts"), {"fields": ("tagline", "synopsis")}),
        (_("Publishing"), {"fields": ("published",)}),
    )
    inlines = (
        FilmTitleInline,
        CreditInline,
        CompanyCreditInline,
        FilmImageInline,
        FilmCopyInline,
        SelectionInline,
        FestivalHistoryEntryInline,
    )

    class Media:
        css = {"all": ("films/admin/admin.css",)}

    @admin.display(description=_("title"), ordering="title")
    def title_column(self, film):
        return film.display_title

    @admin.display(description=_("countries"))
    def country_list(self, film):
        return ", ".join(country_name(code) for code in film.countries)


@admin.register(Tag)
class TagAdmin(HistoryAdmin, TranslatorMixin, TabbedTranslationAdmin):
    list_display = ("key", "name")
    search_fields = ("key", *localized_fields("name"))
    ordering = ("key",)


@admin.register(FilmTitle)
class FilmTitleAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("title", "language", "film")
    list_select_related = ("film",)
    search_fields = ("title", "film__key", "film__original_title")
    autocomplete_fields = ("film",)


@admin.register(FilmImage)
class FilmImageAdmin(
    HistoryAdmin, StorageErrorMixin, TranslatorMixin, PreloadedAutocompleteMixin, TabbedTranslationAdmin
):
    list_display = ("__str__", "preview", "kind", "film", "width", "height")
    list_select_related = ("film",)
    list_filter = ("kind",)
    search_fields = ("film__key", "film__original_title", *localized_fields("caption"))
    autocomplete_fields = ("film",)
    fields = ("film", "kind", "image", "preview", "caption", "photographer", "order")
    readonly_fields = ("preview",)

    class Media:
        css = {"all": ("films/admin/admin.css",)}

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return image_preview(obj)


@admin.register(Selection)
class SelectionAdmin(HistoryAdmin, CuratorMixin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    curated_section_lookup = "section"
    list_display = ("film", "section", "edition", "premiere", "order")
    list_select_related = ("film", "section__edition")
    list_filter = ("section__edition", "section", "premiere")
    search_fields = ("film__key", *(f"film__{name}" for name in localized_fields("title")), "film__original_title")
    autocomplete_fields = ("film", "section")
    ordering = ("section", "order", "id")

    @admin.display(description=_("edition"), ordering="section__edition")
    def edition(self, selection):
        return selection.section.edition


class FestivalHistoryAwardInline(PreloadedInlineMixin, admin.TabularInline):
    model = FestivalHistoryAward
    fields = ("name", "recipient", "order")
    autocomplete_fields = ("recipient",)
    extra = 0


@admin.register(FestivalHistoryEntry)
class FestivalHistoryEntryAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("film", "festival", "year", "section", "premiere")
    list_select_related = ("film", "festival")
    list_filter = ("year", "premiere")
    search_fields = ("film__key", "film__original_title", "festival__key", "festival__short_name", "section")
    autocomplete_fields = ("film", "festival")
    inlines = (FestivalHistoryAwardInline,)


@admin.register(FestivalHistoryAward)
class FestivalHistoryAwardAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "entry", "recipient")
    list_select_related = ("entry__festival", "recipient")
    search_fields = ("name", "recipient__name")
    autocomplete_fields = ("entry", "recipient")


@admin.register(FilmCopy)
class FilmCopyAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("film", "format", "count")
    list_select_related = ("film",)
    list_filter = ("format",)
    search_fields = ("film__key", "film__original_title")
    autocomplete_fields = ("film",)
