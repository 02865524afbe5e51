"""Admin for people and companies: aliases, filmographies, credits, and merging duplicates."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from modeltranslation.admin import TabbedTranslationAdmin

from ..history import record_deletion, record_saved
from ..models import Company, CompanyAlias, CompanyCredit, Credit, FilmographyEntry, Person, PersonAlias
from .common import ListQuerysetMixin, PreloadedAutocompleteMixin, PreloadedInlineMixin, TranslatorMixin
from .history import HistoryAdmin


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    fields = ("name",)
    extra = 0


class FilmographyEntryInline(PreloadedInlineMixin, admin.TabularInline):
    model = FilmographyEntry
    fields = ("year", "title", "english_title", "film", "order")
    autocomplete_fields = ("film",)
    extra = 0


# Merging records entered twice ---------------------------------------------------------------------------


class KeepChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, describe, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe = describe

    def label_from_instance(self, record):
        return self.describe(record)


class MergeForm(forms.Form):
    """Which of the selected records to keep; the others are merged into it."""

    def __init__(self, *args, records, describe, help_text, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"] = KeepChoiceField(
            queryset=records,
            describe=describe,
            widget=forms.RadioSelect,
            empty_label=None,
            label=_("Keep this record"),
            help_text=help_text,
        )


def merge_cell(record, attribute):
    value = getattr(record, attribute)
    return value() if callable(value) else value


class MergeActionMixin:
    """The "Merge selected …" action of an admin whose model has ``merge(other)``, parameterised per model.

    The action (``merge_selected``, for users with change and delete permission) asks which record to keep, on
    ``admin/films/<model>/merge.html`` or else ``admin/films/merge.html``; once confirmed it merges the others
    into it in one transaction and logs each merge on the kept record. The admin says what its records are
    called and what moves (``merge_texts``), which columns describe a candidate (``merge_columns``), and how the
    candidates are counted (``merge_candidates``).
    """

    # Keys: title, intro (ngettext_lazy, "counter"), choose, help, too_few, logged (name, key), done (ngettext_lazy,
    # "count" and "name"), label (name, key, credits).
    merge_texts = {}
    # (column heading, attribute or method of a candidate) pairs.
    merge_columns = ()

    def merge_candidates(self, queryset):
        """The selected records, annotated with what ``merge_columns`` and the label show."""
        return queryset.order_by("name", "pk")

    def has_merge_permission(self, request):
        """Merging changes one record and deletes the others: it needs both permissions (Django offers an action
        whose ``permissions`` are ``["change", "delete"]`` to a user with either)."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def describe_merge_candidate(self, record):
        return self.merge_texts["label"] % {"name": record.name, "key": record.key, "credits": record.credit_count}

    def merge_selected(self, request, queryset, action):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        texts = self.merge_texts
        records = self.merge_candidates(queryset)
        if len(records) < 2:
            self.message_user(request, texts["too_few"], messages.ERROR)
            return None
        form = MergeForm(
            request.POST if "post" in request.POST else None,
            records=records,
            describe=self.describe_merge_candidate,
            help_text=texts["help"],
        )
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            others = [record for record in records if record.pk != keep.pk]
            with transaction.atomic():
                summaries = [texts["logged"] % {"name": other.name, "key": other.key} for other in others]
                record_deletion(others, request.user, " ".join(summaries))  # Each merged record stays recoverable.
                for other, summary in zip(others, summaries, strict=True):
                    keep.merge(other)
                    self.log_change(request, keep, summary)
                record_saved([keep], request.user, " ".join(summaries))
            self.message_user(request, texts["done"] % {"count": len(others), "name": keep.name}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": texts["title"],
            "subtitle": None,
            "opts": self.opts,
            "intro": texts["intro"] % {"counter": len(records)},
            "choose": texts["choose"],
            "headings": [heading for heading, _attribute in self.merge_columns],
            "candidates": [
                {
                    "record": record,
                    "cells": [merge_cell(record, attribute) for _heading, attribute in self.merge_columns],
                }
                for record in records
            ],
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        model = self.opts.model_name
        return TemplateResponse(request, [f"admin/films/{model}/merge.html", "admin/films/merge.html"], context)


@admin.register(Person)
class PersonAdmin(HistoryAdmin, MergeActionMixin, TranslatorMixin, ListQuerysetMixin, TabbedTranslationAdmin):
    list_display = ("name", "key", "born_year", "alias_names", "credit_count")
    search_fields = ("name", "key", "aliases__name")
    ordering = ("name", "key")
    fieldsets = (
        (None, {"fields": ("key", "name", "born_year", "born_place", "photo")}),
        (_("Biography"), {"fields": ("bio",)}),
    )
    inlines = (PersonAliasInline, FilmographyEntryInline)
    actions = ("merge_people",)
    merge_texts = {
        "title": _("Merge people"),
        "intro": ngettext_lazy(
            "You are merging %(counter)s record of the same person.",
            "You are merging %(counter)s records of the same person.",
            "counter",
        ),
        "choose": _(
            "Choose the record to keep. Nothing is lost: credits, filmography and awards move to it "
            "and the other names become aliases."
        ),
        "help": _(
            "The others are merged into it: their credits, filmography and awards move to it, "
            "their names become its aliases, and the other records are deleted."
        ),
        "too_few": _("Select at least two people to merge; you selected only one."),
        "logged": _("Merged %(name)s (key “%(key)s”) into this person."),
        "done": ngettext_lazy(
            "Merged %(count)d person into “%(name)s”.", "Merged %(count)d people into “%(name)s”.", "count"
        ),
        "label": _("%(name)s (key “%(key)s”, %(credits)s credits)"),
    }
    merge_columns = (
        (_("name"), "name"),
        (_("key"), "key"),
        (_("year of birth"), "born_year"),
        (_("credits"), "credit_count"),
        (_("filmography"), "filmography_count"),
    )

    def list_queryset(self, queryset):
        return queryset.annotate(credit_count=Count("credits", distinct=True)).prefetch_related("aliases")

    @admin.display(description=_("aliases"))
    def alias_names(self, person):
        return ", ".join(alias.name for alias in person.aliases.all())

    @admin.display(description=_("credits"), ordering="credit_count")
    def credit_count(self, person):
        return person.credit_count

    def merge_candidates(self, queryset):
        return queryset.annotate(
            credit_count=Count("credits", distinct=True), filmography_count=Count("filmography", distinct=True)
        ).order_by("name", "pk")

    @admin.action(description=_("Merge selected people"), permissions=["merge"])
    def merge_people(self, request, queryset):
        return self.merge_selected(request, queryset, "merge_people")


@admin.register(PersonAlias)
class PersonAliasAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "person")
    list_select_related = ("person",)
    search_fields = ("name", "person__name")
    autocomplete_fields = ("person",)


@admin.register(FilmographyEntry)
class FilmographyEntryAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("title", "english_title", "year", "person", "film")
    list_select_related = ("person", "film")
    search_fields = ("title", "english_title", "person__name")
    autocomplete_fields = ("person", "film")


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    fields = ("name",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(HistoryAdmin, MergeActionMixin, ListQuerysetMixin, admin.ModelAdmin):
    list_display = ("name", "key", "city", "country", "alias_names")
    list_filter = ("country",)
    search_fields = ("name", "key", "aliases__name")
    ordering = ("name", "key")
    inlines = (CompanyAliasInline,)
    actions = ("merge_companies",)
    merge_texts = {
        "title": _("Merge companies"),
        "intro": ngettext_lazy(
            "You are merging %(counter)s record of the same company.",
            "You are merging %(counter)s records of the same company.",
            "counter",
        ),
        "choose": _(
            "Choose the record to keep. Nothing is lost: the company credits and the people credited for the "
            "company move to it and the other names become aliases."
        ),
        "help": _(
            "The others are merged into it: their credits move to it, their names become its aliases, "
            "and the other records are deleted."
        ),
        "too_few": _("Select at least two companies to merge; you selected only one."),
        "logged": _("Merged %(name)s (key “%(key)s”) into this company."),
        "done": ngettext_lazy(
            "Merged %(count)d company into “%(name)s”.", "Merged %(count)d companies into “%(name)s”.", "count"
        ),
        "label": _("%(name)s (key “%(key)s”, %(credits)s credits)"),
    }
    merge_columns = (
        (_("name"), "name"),
        (_("key"), "key"),
        (_("country"), "get_country_display"),
        (_("company credits"), "credit_count"),
        (_("people credited for it"), "person_credit_count"),
    )

    def list_queryset(self, queryset):
        return queryset.prefetch_related("aliases")

    @admin.display(description=_("aliases"))
    def alias_names(self, company):
        return ", ".join(alias.name for alias in company.aliases.all())

    def merge_candidates(self, queryset):
        return queryset.annotate(
            credit_count=Count("credits", distinct=True), person_credit_count=Count("person_credits", distinct=True)
        ).order_by("name", "pk")

    @admin.action(description=_("Merge selected companies"), permissions=["merge"])
    def merge_companies(self, request, queryset):
        return self.merge_selected(request, queryset, "merge_companies")


@admin.register(CompanyAlias)
class CompanyAliasAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "company")
    list_select_related = ("company",)
    search_fields = ("name", "company__name")
    autocomplete_fields = ("company",)


@admin.register(Credit)
class CreditAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("film", "role", "person", "company")
    list_select_related = ("film", "person", "company")
    list_filter = ("role",)
    search_fields = ("person__name", "company__name", "film__key", "film__original_title")
    autocomplete_fields = ("film", "person", "company")


@admin.register(CompanyCredit)
class CompanyCreditAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("film", "role", "company")
    list_select_related = ("film", "company")
    list_filter = ("role",)
    search_fields = ("company__name", "film__key", "film__original_title")
    autocomplete_fields = ("film", "company")
