"""Admin for people and companies: aliases, filmographies, credits, and merging duplicates."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from ..models import Company, CompanyAlias, CompanyCredit, Credit, FilmographyEntry, Person, PersonAlias
from .common import ListQuerysetMixin, PreloadedAutocompleteMixin, PreloadedInlineMixin, TranslatorMixin


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    fields = ("name",)
    extra = 0


class FilmographyEntryInline(PreloadedInlineMixin, admin.TabularInline):
    model = FilmographyEntry
    fields = ("year", "title", "english_title", "film", "order")
    autocomplete_fields = ("film",)
    extra = 0


class KeepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return gettext("%(name)s (key “%(key)s”, %(credits)s credits)") % {
            "name": person.name,
            "key": person.key,
            "credits": person.credit_count,
        }


class MergePeopleForm(forms.Form):
    keep = KeepChoiceField(
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label=_("Keep this record"),
        help_text=_(
            "The others are merged into it: their credits, filmography and awards move to it, "
            "their names become its aliases, and the other records are deleted."
        ),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = people


def people_with_counts(queryset):
    return queryset.annotate(
        credit_count=Count("credits", distinct=True), filmography_count=Count("filmography", distinct=True)
    ).order_by("name", "pk")


@admin.register(Person)
class PersonAdmin(TranslatorMixin, ListQuerysetMixin, TabbedTranslationAdmin):
    list_display = ("name", "key", "born_year", "alias_names", "credit_count")
    search_fields = ("name", "key", "aliases__name")
    ordering = ("name", "key")
    fieldsets = (
        (None, {"fields": ("key", "name", "born_year", "born_place", "photo")}),
        (_("Biography"), {"fields": ("bio",)}),
    )
    inlines = (PersonAliasInline, FilmographyEntryInline)
    actions = ("merge_people",)

    def list_queryset(self, queryset):
        return queryset.annotate(credit_count=Count("credits", distinct=True)).prefetch_related("aliases")

    @admin.display(description=_("aliases"))
    def alias_names(self, person):
        return ", ".join(alias.name for alias in person.aliases.all())

    @admin.display(description=_("credits"), ordering="credit_count")
    def credit_count(self, person):
        return person.credit_count

    @admin.action(description=_("Merge selected people"), permissions=["change", "delete"])
    def merge_people(self, request, queryset):
        people = people_with_counts(queryset)
        if len(people) < 2:
            self.message_user(
                request,
                gettext("Select at least two people to merge; you selected only one."),
                messages.ERROR,
            )
            return None
        form = MergePeopleForm(request.POST if "post" in request.POST else None, people=people)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            others = [person for person in people if person.pk != keep.pk]
            with transaction.atomic():
                for other in others:
                    summary = gettext("Merged %(name)s (key “%(key)s”) into this person.") % {
                        "name": other.name,
                        "key": other.key,
                    }
                    keep.merge(other)
                    self.log_change(request, keep, summary)
            self.message_user(
                request,
                ngettext(
                    "Merged %(count)d person into “%(name)s”.",
                    "Merged %(count)d people into “%(name)s”.",
                    len(others),
                )
                % {"count": len(others), "name": keep.name},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge people"),
            "subtitle": None,
            "opts": self.opts,
            "people": people,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/films/person/merge_people.html", context)


@admin.register(PersonAlias)
class PersonAliasAdmin(PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "person")
    list_select_related = ("person",)
    search_fields = ("name", "person__name")
    autocomplete_fields = ("person",)


@admin.register(FilmographyEntry)
class FilmographyEntryAdmin(PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("title", "english_title", "year", "person", "film")
    list_select_related = ("person", "film")
    search_fields = ("title", "english_title", "person__name")
    autocomplete_fields = ("person", "film")


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    fields = ("name",)
    extra = 0


@admin.register(Company)
class CompanyAdmin(ListQuerysetMixin, admin.ModelAdmin):
    list_display = ("name", "key", "city", "country", "alias_names")
    list_filter = ("country",)
    search_fields = ("name", "key", "aliases__name")
    ordering = ("name", "key")
    inlines = (CompanyAliasInline,)

    def list_queryset(self, queryset):
        return queryset.prefetch_related("aliases")

    @admin.display(description=_("aliases"))
    def alias_names(self, company):
        return ", ".join(alias.name for alias in company.aliases.all())


@admin.register(CompanyAlias)
class CompanyAliasAdmin(PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "company")
    list_select_related = ("company",)
    search_fields = ("name", "company__name")
    autocomplete_fields = ("company",)


@admin.register(Credit)
class CreditAdmin(PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("film", "role", "person", "company")
    list_select_related = ("film", "person", "company")
    list_filter = ("role",)
    search_fields = ("person__name", "company__name", "film__key", "film__original_title")
    autocomplete_fields = ("film", "person", "company")


@admin.register(CompanyCredit)
class CompanyCreditAdmin(PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("film", "role", "company")
    list_select_related = ("film", "company")
    list_filter = ("role",)
    search_fields = ("company__name", "film__key", "film__original_title")
    autocomplete_fields = ("film", "company")
