"""Admin for screenings: times in the edition's time zone, films in running order, bulk status changes."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from ..history import record_saved
from ..models import Edition, Film, Screening, ScreeningFilm, ScreeningGuest
from ..models.versioned import bumped
from ..warnings import screening_warnings
from .board import board_view
from .common import CuratorMixin, PreloadedAutocompleteMixin, PreloadedInlineMixin, TranslatorMixin
from .history import EditConflictAdmin, HistoryAdmin
from .moves import move_view, undo_view
from .zones import EditionTimeZoneMixin, edition_timezone_name

FILMS_PREFIX = "screening_films"  # The films inline's formset prefix (the reverse accessor's name).


class ScreeningFilmInline(PreloadedInlineMixin, admin.TabularInline):
    model = ScreeningFilm
    fields = ("film", "order")
    autocomplete_fields = ("film",)
    ordering = ("order", "id")
    extra = 1


class ScreeningGuestInline(PreloadedInlineMixin, admin.TabularInline):
    model = ScreeningGuest
    fields = ("person", "intro", "qa", "order")
    autocomplete_fields = ("person",)
    ordering = ("order", "id")
    extra = 0


class ScreeningForm(forms.ModelForm):
    """Computes ``ends_at`` from the films' runtimes when it is left empty."""

    class Meta:
        model = Screening
        fields = ("starts_at", "ends_at")  # The admin's fieldsets choose the fields the form shows.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ends_at" in self.fields:
            self.fields["ends_at"].required = False

    def clean(self):
        cleaned = super().clean()
        if "ends_at" in self.fields and not cleaned.get("ends_at") and "ends_at" not in self.errors:
            starts_at = cleaned.get("starts_at")
            minutes = self.runtime_of_films_in_form()
            if starts_at and minutes:
                cleaned["ends_at"] = starts_at + datetime.timedelta(minutes=minutes)
        return cleaned

    def film_ids_in_form(self):
        """The films the inline rows of the same POST name, in order, leaving out rows marked for deletion."""
        try:
            total = min(int(self.data.get(f"{FILMS_PREFIX}-TOTAL_FORMS", 0)), 1000)
        except (TypeError, ValueError):
            return []
        ids = []
        for index in range(total):
            if self.data.get(f"{FILMS_PREFIX}-{index}-DELETE"):
                continue
            value = str(self.data.get(f"{FILMS_PREFIX}-{index}-film") or "")
            if value.isdigit():
                ids.append(int(value))
        return ids

    def runtime_of_films_in_form(self):
        """Sum of the inline films' runtimes, or None after adding an error that says why there is none."""
        ids = self.film_ids_in_form()
        if not ids:
            self.add_error(
                "ends_at",
                ValidationError(
                    _("Give the end time, or add the films so that it can be computed from their runtimes."),
                    code="ends_at_unknown",
                ),
            )
            return None
        films = Film.objects.filter(pk__in=ids).order_by("key")
        missing = [film.display_title for film in films if not film.runtime_minutes]
        if missing:
            self.add_error(
                "ends_at",
                ValidationError(
                    ngettext(
                        "Give the end time: it cannot be computed because %(films)s has no runtime.",
                        "Give the end time: it cannot be computed because %(films)s have no runtime.",
                        len(missing),
                    ),
                    code="ends_at_unknown",
                    params={"films": ", ".join(f"“{title}”" for title in missing)},
                ),
            )
            return None
        return sum(film.runtime_minutes for film in films)


class DayListFilter(admin.SimpleListFilter):
    """The days of the edition chosen in the edition filter, each in the edition's time zone."""

    title = _("day")
    parameter_name = "day"
    edition_parameter = "edition__id__exact"

    def __init__(self, request, params, model, model_admin):
        self.edition = None
        edition_id = request.GET.get(self.edition_parameter, "")
        if edition_id.isdigit():
            self.edition = Edition.objects.filter(pk=edition_id).first()
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        if self.edition is None:
            return []
        return [(day.isoformat(), date_format(day, "D j M")) for day in self.edition.days()]

    def queryset(self, request, queryset):
        if not self.value() or self.edition is None:
            return queryset
        try:
            day = datetime.date.fromisoformat(self.value())
        except ValueError:
            return queryset.none()
        return queryset.on_day(self.edition, day)


@admin.register(Screening)
class ScreeningAdmin(
    EditConflictAdmin,
    HistoryAdmin,
    EditionTimeZoneMixin,
    TranslatorMixin,
    CuratorMixin,
    PreloadedAutocompleteMixin,
    TabbedTranslationAdmin,
):
    curated_section_lookup = "section"
    form = ScreeningForm
    list_display = ("starts", "ends", "film_list", "screen", "section", "status", "audience", "published")
    list_display_links = ("starts",)
    list_select_related = ("edition", "screen", "section")
    list_filter = (
        "edition",
        DayListFilter,
        "section",
        "screen__venue",
        "status",
        "audience",
        "published",
    )
    search_fields = ("key", "films__key", "films__original_title", "screen__name")
    date_hierarchy = "starts_at"
    ordering = ("starts_at", "id")
    autocomplete_fields = ("screen", "section")
    fieldsets = (
        (None, {"fields": ("edition", "key", "section")}),
        (_("When and where"), {"fields": ("screen", "starts_at", "ends_at")}),
        (
            _("Audience and status"),
            {"fields": ("audience", "minimum_age", "status", "subtitles", "ticket_url", "note")},
        ),
        (_("Access"), {"fields": ("audio_description", "captions", "sign_language", "relaxed")}),
        (_("Online"), {"fields": ("available_from", "available_until", "online_countries")}),
        (_("Publishing"), {"fields": ("published",)}),
    )
    inlines = (ScreeningFilmInline, ScreeningGuestInline)
    actions = ("mark_sold_out", "mark_cancelled")

    def get_queryset(self, request):
        films = ScreeningFilm.objects.select_related("film").order_by("order", "id")
        return super().get_queryset(request).prefetch_related(Prefetch("screening_films", queryset=films))

    def local(self, screening, moment):
        return timezone.localtime(moment, screening.edition.tzinfo)

    @admin.display(description=_("starts"), ordering="starts_at")
    def starts(self, screening):
        return self.local(screening, screening.starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("ends"), ordering="ends_at")
    def ends(self, screening):
        start, end = self.local(screening, screening.starts_at), self.local(screening, screening.ends_at)
        return end.strftime("%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M")

    @admin.display(description=_("films"))
    def film_list(self, screening):
        return " + ".join(item.film.display_title for item in screening.screening_films.all())

    # The form: times are entered and shown in the edition's time zone (EditionTimeZoneMixin).

    zoned_fields = {
        "starts_at": "",
        "ends_at": _("Leave empty to compute it from the films’ runtimes."),
        "available_from": "",
        "available_until": "",
    }
    zone_unknown_note = _(
        "Local time in the time zone of the edition chosen above: the times are read in it when you "
        "save. To see this form in that time zone, open it from the schedule board or add "
        "?edition=<id> to its address."
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # Django 6's default; silences its deprecation warning.
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def edition_timezone(self, request, object_id):
        """The time zone the form is read and shown in: the edition posted, else stored, else asked for."""
        if request.method == "POST":
            name = edition_timezone_name(request.POST.get("edition"))
            if name:
                return name
        if object_id is None:
            return edition_timezone_name(request.GET.get("edition"))
        return self.stored_timezone(object_id, "edition__timezone")

    def changelist_view(self, request, extra_context=None):
        name = edition_timezone_name(request.GET.get(DayListFilter.edition_parameter))
        board_url = reverse("admin:films_screening_board", current_app=self.admin_site.name)
        edition_id = request.GET.get(DayListFilter.edition_parameter, "")
        context = {"board_url": board_url, **(extra_context or {})}
        if not name:
            return super().changelist_view(request, context)
        key = Edition.objects.filter(pk=edition_id).values_list("key", flat=True).first()
        context["board_url"] = f"{board_url}?edition={key}"
        with timezone.override(ZoneInfo(name)):  # The date hierarchy then groups by the edition's days.
            response = super().changelist_view(request, context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    def save_related(self, request, form, formsets, change):
        """After saving, the screening's planning warnings (a guest in two places, ...): kept, but said."""
        super().save_related(request, form, formsets, change)
        for warning in screening_warnings(form.instance):
            self.message_user(request, warning.message, messages.WARNING)

    def get_urls(self):
        board = path(
            "board/",
            self.admin_site.admin_view(self.board_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_board",
        )
        move = path(
            "<path:object_id>/move/",
            self.admin_site.admin_view(self.move_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_move",
        )
        undo = path(
            "board/undo/",
            self.admin_site.admin_view(self.undo_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_board_undo",
        )
        return [board, undo, move, *super().get_urls()]

    def board_view(self, request):
        return board_view(self, request)

    def move_view(self, request, object_id):
        return move_view(self, request, object_id)

    def undo_view(self, request):
        return undo_view(self, request)

    # Bulk actions.

    def set_status(self, request, queryset, status, comment):
        """Set the status of many screenings at once: versions raised (open forms become stale) and kept in the
        screenings' history, as a save through their forms would be."""
        ids = list(queryset.values_list("pk", flat=True))
        count = Screening.objects.filter(pk__in=ids).update(status=status, version=bumped())
        record_saved(Screening.objects.filter(pk__in=ids), request.user, comment)
        return count

    @admin.action(description=_("Mark as sold out"), permissions=["change"])
    def mark_sold_out(self, request, queryset):
        cancelled = queryset.filter(status=Screening.Status.CANCELLED).count()
        changed = queryset.exclude(status=Screening.Status.CANCELLED)
        count = self.set_status(request, changed, Screening.Status.SOLD_OUT, gettext("Marked as sold out."))
        text = ngettext(
            "%(count)d screening marked as sold out.", "%(count)d screenings marked as sold out.", count
        ) % {"count": count}
        if cancelled:
            text += " " + ngettext(
                "%(count)d cancelled screening was left cancelled.",
                "%(count)d cancelled screenings were left cancelled.",
                cancelled,
            ) % {"count": cancelled}
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=_("Mark as cancelled"), permissions=["change"])
    def mark_cancelled(self, request, queryset):
        count = self.set_status(request, queryset, Screening.Status.CANCELLED, gettext("Marked as cancelled."))
        self.message_user(
            request,
            ngettext("%(count)d screening marked as cancelled.", "%(count)d screenings marked as cancelled.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ScreeningFilm)
class ScreeningFilmAdmin(HistoryAdmin, CuratorMixin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    curated_section_lookup = "screening__section"
    list_display = ("film", "screening", "order")
    list_select_related = ("film", "screening__edition", "screening__screen")
    search_fields = ("film__key", "film__original_title", "screening__key")
    autocomplete_fields = ("film", "screening")


@admin.register(ScreeningGuest)
class ScreeningGuestAdmin(HistoryAdmin, CuratorMixin, PreloadedAutocompleteMixin, admin.ModelAdmin):
    curated_section_lookup = "screening__section"
    list_display = ("person", "screening", "intro", "qa")
    list_select_related = ("person", "screening__edition", "screening__screen")
    list_filter = ("screening__edition", "intro", "qa")
    search_fields = ("person__name", "person__key", "screening__key")
    autocomplete_fields = ("person", "screening")
