"""The programme: list and grid of a day's screenings, with filters from the query string."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ...access import filter_choices, with_access
from ...cache import programme_keys, shows
from ...calendar import subscription
from ...codes import country_codes, country_name, language_codes, language_name
from ...models import Film, Screening, ScreeningFilm
from ...public import lean
from ...queries import (
    PageQuery,
    day_text,
    default_day,
    edition_screenings,
    grid,
    screening_rows,
    screenings_with_film_conditions,
    section_names,
    with_code,
)
from ..rows import screening_items
from .common import public_page, published_edition

# Programme -------------------------------------------------------------------


class ProgrammeFilters(forms.Form):
    """The programme's filters, read from the query string; an invalid value is ignored, not an error."""

    day = forms.DateField(label=_("Day"), required=False, input_formats=["%Y-%m-%d"])
    view = forms.ChoiceField(label=_("View"), required=False, choices=[("list", _("List")), ("grid", _("Grid"))])
    section = forms.ChoiceField(label=_("Section"), required=False)
    venue = forms.ChoiceField(label=_("Venue"), required=False)
    subtitles = forms.ChoiceField(label=_("Subtitles"), required=False)
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("Any")), *Screening.Audience.choices]
    )
    form = forms.ChoiceField(label=_("Form"), required=False, choices=[("", _("Any")), *Film.Form.choices])
    country = forms.ChoiceField(label=_("Country"), required=False)
    age = forms.IntegerField(label=_("Suitable for age"), required=False, min_value=0, max_value=99)
    access = forms.ChoiceField(label=_("Accessibility"), required=False, choices=[("", _("Any")), *filter_choices()])
    started = forms.ChoiceField(
        label=_("Hide what has started"), required=False, choices=[("", _("Show")), ("hide", _("Hide"))]
    )

    def __init__(self, data, *, edition, sections, venues, subtitles, countries):
        super().__init__(data)
        self.edition = edition
        self.fields["section"].choices = [("", _("All sections"))] + [
            (section["key"], str(section["name"])) for section in sections
        ]
        self.fields["venue"].choices = [("", _("All venues"))] + [(venue["key"], venue["name"]) for venue in venues]
        self.fields["subtitles"].choices = [("", _("Any")), *subtitles]
        self.fields["country"].choices = [("", _("Any")), *countries]

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day and not self.edition.start_date <= day <= self.edition.end_date:
            raise forms.ValidationError(_("The edition does not run on that day."), code="outside_edition")
        return day

    def valid(self):
        """The cleaned values of the fields that are valid; invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


_venue_options = PageQuery(
    lambda edition: (
        lean(Screening.objects.filter(edition=edition, published=True))
        .order_by()
        .values_list("screen__venue__key", "screen__venue__name", "subtitles")
        .distinct()
    ),
)


def screened_films(edition):
    screened = ScreeningFilm.objects.filter(screening__edition=edition, screening__published=True).values("film_id")
    return Film.objects.filter(published=True, id__in=screened)


_country_options = PageQuery(
    lambda edition: lean(screened_films(edition)).order_by().values_list("countries").distinct()
)


def filter_options(edition):
    """Venues, subtitle languages and film countries the edition's published screenings have: two lean queries.

    Options need not apply every publication rule (a venue, a language or a published film's country
    is public anyway); ``.order_by()`` keeps DISTINCT from counting the default ordering's columns.
    """
    venue_names = {}
    subtitle_codes = set()
    for key, name, codes in _venue_options(edition.pk):
        if key:
            venue_names[key] = name
        subtitle_codes.update(codes)
    venues = [
        {"key": key, "name": name} for key, name in sorted(venue_names.items(), key=lambda item: (item[1], item[0]))
    ]
    country_set = set()
    for (codes,) in _country_options(edition.pk):
        country_set.update(codes)
    subtitles = sorted(
        ((code, language_name(code)) for code in subtitle_codes & language_codes()), key=lambda item: item[1]
    )
    countries = sorted(((code, country_name(code)) for code in country_set & country_codes()), key=lambda item: item[1])
    return venues, subtitles, countries


def clean_query(request, allowed):
    """The query string's parameters that a page knows, short values only (for building links)."""
    return {name: request.GET[name][:100] for name in allowed if request.GET.get(name)}


PROGRAMME_FILTERS = ("section", "venue", "subtitles", "audience", "access", "form", "country", "age", "started")


def filtered_screenings(edition, day, chosen):
    """The published screenings on ``day`` that match the ``chosen`` filters."""
    screenings = edition_screenings(edition).on_day(edition, day)
    if "section" in chosen:
        screenings = screenings.filter(section__key=chosen["section"])
    if "venue" in chosen:
        screenings = screenings.filter(screen__venue__key=chosen["venue"])
    if "subtitles" in chosen:
        screenings = with_code(screenings, "subtitles", chosen["subtitles"])
    if "audience" in chosen:
        screenings = screenings.filter(audience=chosen["audience"])
    if "access" in chosen:
        screenings = with_access(screenings, chosen["access"])
    if chosen.get("started") == "hide":
        screenings = screenings.filter(starts_at__gte=timezone.now())
    return screenings_with_film_conditions(
        screenings, form=chosen.get("form"), country=chosen.get("country"), max_age=chosen.get("age")
    )


def filter_chips(path, filters, chosen, kept, day, options):
    """The filters chosen, each as a chip that removes it: ``[{"label", "value", "url"}]`` in the form's order."""
    chips = []
    for name in PROGRAMME_FILTERS:
        if name not in chosen:
            continue
        value = chosen[name]
        if name in options:
            value = {str(code): label for code, label in options[name]}.get(str(value), value)
        elif name == "started":
            value = _("Hidden")
        query = {other: text for other, text in kept.items() if other != name}
        chips.append(
            {
                "label": filters.fields[name].label,
                "value": value,
                "url": f"{path}?{urlencode({**query, 'day': day.isoformat()})}",
            }
        )
    return chips


def programme_context(request, edition, *, views=("list", "grid")):
    """What the programme page and the embeddable programme show of a day: the filters read from the query string,
    the day's rows, the day tabs (keeping the filters) and the form's options. ``views``: the layouts offered."""
    sections = section_names(edition)
    venues, subtitles, countries = filter_options(edition)
    filters = ProgrammeFilters(
        request.GET,
        edition=edition,
        sections=sections.values(),
        venues=venues,
        subtitles=subtitles,
        countries=countries,
    )
    chosen = filters.valid()
    if chosen.get("view") not in views:
        chosen.pop("view", None)
    day = chosen.get("day") or default_day(edition)
    shows(request, *programme_keys(edition.key, day))
    rows = screening_rows(filtered_screenings(edition, day, chosen), edition, sections)
    kept = {name: value for name, value in clean_query(request, filters.fields).items() if name in chosen}
    language = translation.get_language()
    days = [
        {
            "date": each,
            "label": day_text(language, "D j M", each),
            "url": f"{request.path}?{urlencode({**kept, 'day': each.isoformat()})}",
            "current": each == day,
        }
        for each in edition.days()
    ]
    options = {
        "section": [(item["key"], item["name"].text) for item in sections.values()],
        "venue": [(item["key"], item["name"]) for item in venues],
        "subtitles": subtitles,
        "country": countries,
        "audience": Screening.Audience.choices,
        "access": filter_choices(),
        "form": Film.Form.choices,
    }
    return {
        "edition": edition,
        "sections": list(sections.values()),
        "chips": filter_chips(request.path, filters, chosen, kept, day, options),
        "filters": filters,
        "chosen": chosen,
        "kept": kept,
        "values": {name: str(value) for name, value in chosen.items()},
        **{f"{name}_options": choices for name, choices in options.items()},
        "day": day,
        "day_iso": day.isoformat(),
        "day_label": date_format(day, "DATE_FORMAT"),
        "days": days,
        "rows": rows,
        "view": chosen.get("view", views[0]),
    }


@public_page
def programme(request, edition):
    edition = published_edition(edition)
    context = programme_context(request, edition)
    chosen, kept, day, rows, view = (context[name] for name in ("chosen", "kept", "day", "rows", "view"))
    base = request.path
    other_view = "list" if view == "grid" else "grid"
    view_query = {**kept, "day": day.isoformat(), "view": other_view}
    context.update(
        {
            "nav_edition": edition,
            "rows_html": screening_items(rows, edition.key) if view == "list" else "",
            "other_view_url": f"{base}?{urlencode(view_query)}",
            "canonical": f"{base}?{urlencode({'day': day.isoformat()})}",
            # Calendars that keep themselves up to date: the whole edition, and the section chosen.
            "subscribe_all": subscription(request, reverse("programme-ics", args=[edition.key])),
            "subscribe_section": subscription(
                request, f"{reverse('programme-ics', args=[edition.key])}?{urlencode({'section': chosen['section']})}"
            )
            if "section" in chosen
            else None,
        }
    )
    if view == "grid":
        context["grid_screens"], context["grid_slots"] = grid(rows, day, edition.tzinfo)
    return render(request, "films/programme.html", context)
