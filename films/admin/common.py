"""Pieces the festival's admin classes share: autocomplete widgets that do not query per row, list filters,
and the staff roles' limits (translators change text only, curators see their own sections)."""

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

from ..codes import country_codes, country_name
from ..models import Screening, Section
from ..roles import may_change_structure


def localized_fields(name):
    """``title_en``, ``title_uk``, … for every site language, e.g. for ``search_fields``."""
    return [build_localized_fieldname(name, code) for code, _name in settings.LANGUAGES]


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that renders its selected option from an object already loaded, without a query.

    Django's autocomplete looks up the selected object's label with one query per widget, so an inline
    with 30 credits costs 60 queries. ``PreloadedInlineFormSet`` hands each row's widget the object its
    (select_related) instance already holds; anything else falls back to Django's own lookup.
    """

    preloaded = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected or self.preloaded is None or not selected <= self.preloaded.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in sorted(selected):
            options.append(self.create_option(name, pk, self.preloaded[pk], True, len(options)))
        return [(None, options, 0)]


class PreloadedInlineFormSet(BaseInlineFormSet):
    """Gives each row's autocomplete widgets the related objects its instance already holds."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        instance = form.instance
        if self.instance.pk is not None and getattr(instance, self.fk.attname) == self.instance.pk:
            self.fk.set_cached_value(instance, self.instance)  # A row's __str__ may name its parent.
        if instance.pk is None:
            return form
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrap RelatedFieldWidgetWrapper
            if not isinstance(widget, PreloadedAutocompleteSelect):
                continue
            model_field = instance._meta.get_field(name)
            if model_field.is_cached(instance):
                related = model_field.get_cached_value(instance)
                widget.preloaded = {} if related is None else {str(related.pk): str(related)}
        return form


class PreloadedAutocompleteMixin:
    """Use ``PreloadedAutocompleteSelect`` for foreign keys in ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PreloadedInlineMixin(PreloadedAutocompleteMixin):
    """An inline whose rows load their autocomplete foreign keys with the rows themselves."""

    formset = PreloadedInlineFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.autocomplete_fields)


class CountryListFilter(admin.SimpleListFilter):
    """Filter by one country of a ``CodeListField`` of countries; lists the codes present in the data."""

    title = _("country")
    parameter_name = "country"
    field_name = "countries"

    def lookups(self, request, model_admin):
        present = set()
        values = model_admin.get_queryset(request).order_by().values_list(self.field_name, flat=True).distinct()
        for codes in values:
            present.update(codes)
        return sorted(((code, f"{country_name(code)} ({code})") for code in present), key=lambda item: item[1])

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        if code not in country_codes():  # "U" would otherwise match every code containing a U.
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}__contains": code})


class ListQuerysetMixin:
    """Lets an admin shape the changelist's rows only (``list_queryset``), not the change page's or autocomplete's."""

    def list_queryset(self, queryset):
        return queryset

    def get_changelist(self, request, **kwargs):
        model_admin = self
        base = super().get_changelist(request, **kwargs)

        class ShapedChangeList(base):
            def get_queryset(self, request, exclude_parameters=None):
                return model_admin.list_queryset(super().get_queryset(request, exclude_parameters))

        return ShapedChangeList


# Roles (films/roles.py): translators change translated text only; curators see only the sections they curate.


def translated_field_names(model):
    """``(originals, columns)`` of a model registered in films/translation.py: ``{"title"}``, ``{"title_en", …}``."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return set(), set()
    columns = {field.name for fields in options.all_fields.values() for field in fields}
    return set(options.all_fields), columns


def untranslated_field_names(model):
    """Every field a form could edit that is not a translated text column (``year``, ``edition``, ``tags``, …)."""
    originals, columns = translated_field_names(model)
    return [
        field.name
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and field.editable
        and field.name not in originals
        and field.name not in columns
    ]


class TextOnlyInlineMixin:
    """An inline shown to a translator: no rows added or deleted, and only translated text columns editable
    (an inline of an untranslated model is read-only, or hidden when the user may not view it)."""

    def has_add_permission(self, request, obj):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return bool(translated_field_names(self.model)[1]) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *untranslated_field_names(self.model)]

    def get_prepopulated_fields(self, request, obj=None):
        return {}


@functools.cache
def text_only_inline(inline_class):
    return type(f"TextOnly{inline_class.__name__}", (TextOnlyInlineMixin, inline_class), {})


class TranslatorMixin:
    """For every admin of a translated model: a user who may not change the model's structure (a translator; see
    ``films.roles.may_change_structure``) changes only the translated text columns, in every language. Everything
    else is read-only, inlines are read-only (inlines of translated models: text only), and nothing can be added,
    deleted or changed by an action.
    """

    def text_only(self, request):
        """True when the user may change translated text only (superusers have every permission)."""
        return not may_change_structure(request.user, self.model._meta.model_name)

    def has_add_permission(self, request):
        return not self.text_only(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return not self.text_only(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.text_only(request):
            readonly += [name for name in untranslated_field_names(self.model) if name not in readonly]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self.text_only(request) else super().get_prepopulated_fields(request, obj)

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        return [text_only_inline(inline) for inline in inlines] if self.text_only(request) else inlines

    def get_actions(self, request):
        return {} if self.text_only(request) else super().get_actions(request)


def curated_section_ids(request):
    """The sections a non-superuser curates (cached on the request), or None when they see every section."""
    if not hasattr(request, "_curated_section_ids"):
        user = request.user
        ids = None
        if user.is_authenticated and not user.is_superuser:
            ids = list(user.curated_sections.values_list("pk", flat=True)) or None
        request._curated_section_ids = ids
    return request._curated_section_ids


class CuratorMixin:
    """A curator (a user who curates at least one section) sees only their sections and what is in them.

    ``curated_section_lookup`` is the path from the admin's model to its section (``"pk"`` for sections,
    ``"section"`` for selections); every foreign key to a section (or a screening) offers only the curated
    sections (or their screenings), which also limits what a posted form accepts.
    """

    curated_section_lookup = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = curated_section_ids(request)
        if ids is not None and self.curated_section_lookup:
            queryset = queryset.filter(**{f"{self.curated_section_lookup}__in": ids})
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = curated_section_ids(request)
        if ids is not None and db_field.related_model is Section:
            kwargs["queryset"] = Section.objects.filter(pk__in=ids).select_related("edition")
        elif ids is not None and db_field.related_model is Screening:
            kwargs["queryset"] = Screening.objects.filter(section__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
