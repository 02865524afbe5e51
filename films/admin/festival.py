"""Admin for festivals, editions, sections, venues, screens, juries and awards."""

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline, TranslationTabularInline

from ..models import (
    Award,
    AwardResult,
    Edition,
    Festival,
    JuryMember,
    Screen,
    Section,
    Selection,
    TravelTime,
    Venue,
)
from ..roles import may_translate_results
from .common import (
    CuratorMixin,
    PreloadedAutocompleteMixin,
    PreloadedInlineFormSet,
    PreloadedInlineMixin,
    TranslatorMixin,
    localized_fields,
    untranslated_field_names,
)
from .history import EditConflictAdmin, HistoryAdmin
from .readiness import readiness_view
from .results import log_results, results_url, results_view
from .zones import EditionTimeZoneMixin, edition_timezone_name, results_public_line, valid_timezone_name


@admin.register(Festival)
class FestivalAdmin(HistoryAdmin, TranslatorMixin, TabbedTranslationAdmin):
    list_display = ("name", "short_name", "key", "city", "country")
    list_filter = ("country",)
    search_fields = ("key", "short_name", *localized_fields("name"))
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("key", "name", "short_name", "city", "country")}),
        (
            _("Identity on the site"),
            {
                "fields": ("logo", "brand_colour", "typeface"),
                "description": _("Used when this festival runs the site: its current edition's festival."),
            },
        ),
    )


class SectionInline(CuratorMixin, TranslationTabularInline):
    model = Section
    curated_section_lookup = "pk"
    fields = ("key", "name", "competitive", "order", "published")
    ordering = ("order", "key")
    show_change_link = True  # Descriptions and selections are edited on the section's page.
    extra = 0


@admin.register(Edition)
class EditionAdmin(
    EditConflictAdmin,
    HistoryAdmin,
    EditionTimeZoneMixin,
    TranslatorMixin,
    PreloadedAutocompleteMixin,
    TabbedTranslationAdmin,
):
    list_display = ("name", "key", "festival", "year", "start_date", "end_date", "timezone", "published")
    list_select_related = ("festival",)
    list_filter = ("festival", "year", "published")
    search_fields = ("key", *localized_fields("name"), "festival__short_name")
    autocomplete_fields = ("festival",)
    date_hierarchy = "start_date"
    ordering = ("-start_date", "key")
    fieldsets = (
        (None, {"fields": ("festival", "key", "name", "year")}),
        (_("Dates"), {"fields": ("start_date", "end_date", "timezone")}),
        (_("Publishing"), {"fields": ("published", "results_announced_at", "results_public")}),
    )
    readonly_fields = ("results_public",)
    inlines = (SectionInline,)

    # The announcement time is entered and shown in the edition's own time zone (EditionTimeZoneMixin).
    zoned_fields = {
        "results_announced_at": _(
            "Until this moment award results are visible to staff only; a competition may set its own time. "
            "Empty: the end of the edition’s last day."
        )
    }
    zone_unknown_note = _("Local time in the time zone chosen above: the time is read in it when you save.")

    def get_urls(self):
        readiness = path(
            "<path:object_id>/readiness/",
            self.admin_site.admin_view(self.readiness_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_readiness",
        )
        return [readiness, *super().get_urls()]

    def readiness_view(self, request, object_id):
        return readiness_view(self, request, object_id)

    def edition_timezone(self, request, object_id):
        """The time zone posted (on a POST), else the stored one."""
        if request.method == "POST":
            name = valid_timezone_name(request.POST.get("timezone"))
            if name:
                return name
        return self.stored_timezone(object_id, "timezone") if object_id else None

    @admin.display(description=_("results become public"))
    def results_public(self, edition):
        return results_public_line(edition, lambda edition: edition)


class SelectionInline(CuratorMixin, PreloadedInlineMixin, admin.TabularInline):
    model = Selection
    curated_section_lookup = "section"
    fields = ("film", "premiere", "order")
    autocomplete_fields = ("film",)
    ordering = ("order", "id")
    extra = 0


class JuryFormSet(PreloadedInlineFormSet):
    """Refuses two presidents in one post (the model checks each row against the database only)."""

    def clean(self):
        super().clean()
        presidents = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("role") == JuryMember.Role.PRESIDENT and data.get("person"):
                presidents.append(data["person"])
        if len(presidents) > 1:
            raise ValidationError(
                _("A jury has one president; %(people)s are all marked as president."),
                code="second_president",
                params={"people": ", ".join(str(person) for person in presidents)},
            )


class JuryMemberInline(PreloadedInlineMixin, admin.TabularInline):
    model = JuryMember
    formset = JuryFormSet
    fields = ("person", "role", "order")
    autocomplete_fields = ("person",)
    ordering = ("order", "id")
    extra = 0


@admin.register(Section)
class SectionAdmin(
    EditConflictAdmin,
    HistoryAdmin,
    EditionTimeZoneMixin,
    TranslatorMixin,
    CuratorMixin,
    PreloadedAutocompleteMixin,
    TabbedTranslationAdmin,
):
    """Sections; a competitive section also has its jury (which the awards staff edit) and a results page.

    Curators see only their sections. The awards staff, who may view sections but not change them, may open a
    competition to edit its jury: every field of the section is then read-only.
    """

    list_display = ("name", "key", "edition", "competitive", "order", "colour", "published")
    list_select_related = ("edition",)
    list_filter = ("edition", "competitive", "published")
    search_fields = ("key", *localized_fields("name"), "edition__key")
    ordering = ("edition", "order", "key")
    curated_section_lookup = "pk"
    fieldsets = (
        (None, {"fields": ("edition", "key", "name", "description", "order", "colour", "published")}),
        (_("Competition"), {"fields": ("competitive", "results_announced_at", "results_public", "jury_statement")}),
    )
    readonly_fields = ("results_public",)
    curators_fieldset = (_("Curators"), {"fields": ("curators",)})
    filter_horizontal = ("curators",)
    inlines = (SelectionInline,)

    # The announcement time is entered and shown in the edition's time zone (EditionTimeZoneMixin).
    zoned_fields = {
        "results_announced_at": _(
            "For a competition announced at its own time. Empty: the edition’s announcement time, or else the end "
            "of the edition’s last day."
        )
    }
    zone_unknown_note = _(
        "Local time in the time zone of the edition chosen above: the time is read in it when you save. To see "
        "this form in that time zone, add ?edition=<id> to its address."
    )

    def edition_timezone(self, request, object_id):
        """The time zone of the edition posted (on a POST), else of the section's edition, else of the edition
        in the address (``?edition=<id>``, as the add form takes it)."""
        if request.method == "POST":
            name = edition_timezone_name(request.POST.get("edition"))
            if name:
                return name
        if object_id is None:
            return edition_timezone_name(request.GET.get("edition"))
        return self.stored_timezone(object_id, "edition__timezone")

    @admin.display(description=_("results become public"))
    def results_public(self, section):
        return results_public_line(section, lambda section: section.edition if section.edition_id else None)

    def jury_only(self, request):
        return not request.user.has_perm("films.change_section")

    def may_edit_jury(self, request):
        return request.user.has_perm("films.add_jurymember") or request.user.has_perm("films.change_jurymember")

    def text_only(self, request):
        return not self.jury_only(request) and super().text_only(request)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        return obj is not None and obj.competitive and self.may_edit_jury(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:  # Only an administrator decides who is limited to which sections.
            fieldsets = (*fieldsets, self.curators_fieldset)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.jury_only(request):
            readonly += [name for name in self.all_field_names() if name not in readonly]
        return readonly

    def all_field_names(self):
        names = [name for name in untranslated_field_names(Section) if name != "curators"]
        return [
            *names,
            *localized_fields("name"),
            *localized_fields("description"),
            *localized_fields("jury_statement"),
        ]

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and obj.competitive:
            inlines.append(JuryMemberInline)
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.competitive and may_translate_results(request.user):
            context["results_url"] = results_url(obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)


class ScreenInline(admin.TabularInline):
    model = Screen
    fields = ("key", "name", "capacity", "wheelchair_spaces", "step_free", "changeover_minutes", "order")
    ordering = ("order", "name")
    extra = 0


class TravelTimeInline(PreloadedInlineMixin, admin.TabularInline):
    """Minutes a guest needs to another venue (once per pair: it shows on one of the two venues' pages)."""

    model = TravelTime
    fk_name = "from_venue"
    fields = ("to_venue", "minutes")
    extra = 0


@admin.register(Venue)
class VenueAdmin(HistoryAdmin, TranslatorMixin, TabbedTranslationAdmin):
    list_display = ("name", "key", "city", "address")
    search_fields = ("key", "name", "city")
    ordering = ("name",)
    inlines = (ScreenInline, TravelTimeInline)


@admin.register(Screen)
class ScreenAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "key", "venue", "capacity", "wheelchair_spaces", "changeover_minutes", "order")
    list_select_related = ("venue",)
    list_filter = ("venue",)
    search_fields = ("key", "name", "venue__name")
    autocomplete_fields = ("venue",)
    ordering = ("venue__name", "order", "name")


@admin.register(JuryMember)
class JuryMemberAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("person", "role", "section", "order")
    list_select_related = ("person", "section")
    list_filter = ("section__edition", "role")
    search_fields = ("person__name", "section__key")
    autocomplete_fields = ("section", "person")
    ordering = ("section", "order", "id")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(competitive=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AwardResultInline(PreloadedInlineMixin, TranslationStackedInline):
    model = AwardResult
    fields = ("film", "person", "kind", "citation", "order")
    autocomplete_fields = ("film", "person")
    extra = 0


@admin.register(Award)
class AwardAdmin(EditConflictAdmin, HistoryAdmin, TranslatorMixin, PreloadedAutocompleteMixin, TabbedTranslationAdmin):
    list_display = ("name", "key", "edition", "section", "recipient", "ex_aequo", "order", "results_link")
    list_select_related = ("edition", "section")
    list_filter = ("edition",)
    search_fields = ("key", *localized_fields("name"))
    autocomplete_fields = ("edition", "section")
    ordering = ("edition", "order", "key")
    inlines = (AwardResultInline,)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(competitive=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("results"))
    def results_link(self, award):
        return format_html('<a href="{}">{}</a>', results_url(award.section_id), gettext("Enter results"))

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not may_translate_results(request.user):
            shown = [name for name in shown if name != "results_link"]
        return shown

    def get_urls(self):
        results = path(
            "results/<int:section_id>/",
            self.admin_site.admin_view(self.results_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_results",
        )
        return [results, *super().get_urls()]

    def results_view(self, request, section_id):
        return results_view(self, request, section_id)

    def save_formset(self, request, form, formset, change):
        """Results edited inline are also recorded in their own history (the award's is Django's message)."""
        doomed = [(item.instance, DELETION, "") for item in formset.deleted_forms if item.instance.pk is not None]
        if formset.model is AwardResult:
            log_results(request, doomed, on_award=False)
        super().save_formset(request, form, formset, change)
        if formset.model is AwardResult:
            with override(None):
                entries = [(result, ADDITION, [{"added": {}}]) for result in formset.new_objects]
                for result, changed in formset.changed_objects:
                    labels = [str(formset.forms[0].fields[name].label or name) for name in changed]
                    entries.append((result, CHANGE, [{"changed": {"fields": labels}}]))
            log_results(request, entries, on_award=False)


@admin.register(AwardResult)
class AwardResultAdmin(HistoryAdmin, TranslatorMixin, PreloadedAutocompleteMixin, TabbedTranslationAdmin):
    """Results one at a time; each change is also summed up in the award's history (the results page lists it)."""

    list_display = ("award", "film", "person", "kind")
    list_select_related = ("award", "film", "person")
    list_filter = ("award__edition", "kind")
    search_fields = ("award__key", "film__key", "film__original_title", "person__name")
    autocomplete_fields = ("award", "film", "person")

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self.log_on_award(request, obj, ADDITION, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self.log_on_award(request, obj, CHANGE, message)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self.log_on_award(request, obj, DELETION, "")
        return entries

    def log_on_award(self, request, result, flag, message):
        from .results import award_message

        self.admin_site._registry[Award].log_change(request, result.award, award_message(result, flag, message))


@admin.register(TravelTime)
class TravelTimeAdmin(HistoryAdmin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("from_venue", "to_venue", "minutes")
    list_select_related = ("from_venue", "to_venue")
    search_fields = ("from_venue__name", "to_venue__name")
    autocomplete_fields = ("from_venue", "to_venue")
