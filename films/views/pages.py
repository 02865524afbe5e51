"""The public programme site: edition home, programme, sections, films, people, venues, awards, archive, search.

Every page answers conditional requests: ``conditional_page`` gives each response an
ETag (a hash of its content) and answers a matching ``If-None-Match`` with 304.
"""

import datetime
import zoneinfo
from html import escape
from itertools import groupby
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import conditional_page, require_safe

from ..codes import country_codes, country_name, language_codes, language_name
from ..models import (
    Award,
    AwardResult,
    CompanyCredit,
    Credit,
    Edition,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    JuryMember,
    Person,
    PersonAlias,
    Screen,
    Screening,
    ScreeningFilm,
    Section,
    Selection,
    Tag,
    Venue,
)
from ..public import film_title, lean, normalise, title_columns, title_reader, translated, translated_columns
from ..queries import (
    EDITION,
    Prepared,
    UrlPattern,
    clock_text,
    current_edition,
    day_text,
    default_day,
    edition_screenings,
    grid,
    nav_edition,
    screening_rows,
    screenings_with_film_conditions,
    section_names,
    with_code,
)
from ..structured_data import film_jsonld, ld_json_script
from .rows import KEY_MARK, screening_items, text_html, toggle_template


def public_page(view):
    """GET/HEAD only, with an ETag from the content and 304 for a repeat visit."""
    return require_safe(conditional_page(view))


@require_safe
def language_redirect(request):
    """``/`` → ``/<lang>/`` by Accept-Language among the site's languages, English otherwise."""
    language = translation.get_language_from_request(request, check_path=False)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        response = HttpResponseRedirect(reverse("home"))
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def model_columns(model, *, leave_out=()):
    """The attribute names of ``model``'s columns (translation columns included), to build instances from rows."""
    return [field.attname for field in model._meta.concrete_fields if field.attname not in leave_out]


_edition = Prepared(
    lambda key: lean(Edition.objects.filter(published=True, key=key)).values_list(*model_columns(Edition)),
    "\x00edition-key",
)


def published_edition(key):
    """The published edition ``key`` (without its festival: the pages that need it join it themselves)."""
    rows = _edition(key)
    if not rows:
        raise Http404("No Edition matches the given query.")
    return Edition.from_db(DEFAULT_DB_ALIAS, model_columns(Edition), rows[0])


def edition_dates(edition):
    return {
        "start": date_format(edition.start_date, "DATE_FORMAT"),
        "end": date_format(edition.end_date, "DATE_FORMAT"),
    }


def winners(edition, *, film_id=None, person_id=None):
    """Announced award results of published films in published editions and sections, grouped by award."""
    results = AwardResult.objects.public().filter(award__section__published=True)
    if edition is not None:
        results = results.filter(award__edition=edition)
    if film_id is not None:
        results = results.filter(film_id=film_id)
    if person_id is not None:
        results = results.filter(person_id=person_id)
    rows = (
        lean(results)
        .order_by("award__edition__start_date", "award__order", "award__key", "order", "id")
        .values(
            "id",
            "kind",
            "award_id",
            "award__key",
            "award__edition__key",
            "award__edition__year",
            *translated_columns("name", "award__"),
            *translated_columns("name", "award__edition__"),
            *translated_columns("citation"),
            *title_columns("film__"),
            "person__key",
            "person__name",
        )
    )
    film_url = UrlPattern("film", film=None)
    person_url = UrlPattern("person", person=None)
    award_url = UrlPattern("award", award=None)
    awards = []
    for _award_id, group in groupby(rows, key=lambda row: row["award_id"]):
        group = list(group)
        first = group[0]
        awards.append(
            {
                "name": translated(first, "award__name"),
                "edition": translated(first, "award__edition__name"),
                "edition_key": first["award__edition__key"],
                "award_id": first["award_id"],
                "url": award_url(first["award__key"]),
                "winners": [result(row, film_url, person_url) for row in group if row["kind"] == "winner"],
                "mentions": [result(row, film_url, person_url) for row in group if row["kind"] != "winner"],
            }
        )
    return awards


def result(row, film_url, person_url):
    return {
        "kind": row["kind"],
        "film": film_title(row, prefix="film__"),
        "film_url": film_url(row["film__key"]),
        "person": row["person__name"] or "",
        "person_url": person_url(row["person__key"]) if row["person__key"] else "",
        "citation": translated(row, "citation"),
    }


# Edition home ----------------------------------------------------------------


@public_page
def home(request):
    edition = current_edition()
    if edition is None:
        return render(request, "films/home.html", {"edition": None, "nav_edition": None})
    sections = section_names(edition)
    day = default_day(edition)
    screenings = edition_screenings(edition).on_day(edition, day)
    rows = screening_rows(screenings, edition, sections)
    today = timezone.localtime(timezone.now(), edition.tzinfo).date()
    return render(
        request,
        "films/home.html",
        {
            "edition": edition,
            "nav_edition": edition,
            "dates": edition_dates(edition),
            "sections": list(sections.values()),
            "day": day,
            "day_label": date_format(day, "DATE_FORMAT"),
            "is_today": day == today,
            "rows": rows,
            "rows_html": screening_items(rows, edition.key),
            "awards": winners(edition),
        },
    )


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


_venue_options = Prepared(
    lambda edition: (
        lean(Screening.objects.filter(edition=edition, published=True))
        .order_by()
        .values_list("screen__venue__key", "screen__venue__name", "subtitles")
        .distinct()
    ),
    EDITION,
)


def screened_films(edition):
    screened = ScreeningFilm.objects.filter(screening__edition=edition, screening__published=True).values("film_id")
    return Film.objects.filter(published=True, id__in=screened)


_country_options = Prepared(
    lambda edition: lean(screened_films(edition)).order_by().values_list("countries").distinct(), EDITION
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


PROGRAMME_FILTERS = ("section", "venue", "subtitles", "audience", "form", "country", "age", "started")


def filtered_screenings(edition, day, chosen):
    """The published screenings on ``day`` that match the ``chosen`` filters, or None when none is chosen."""
    if not any(name in chosen for name in PROGRAMME_FILTERS):
        return None
    screenings = edition_screenings(edition).on_day(edition, day)
    if "section" in chosen:
        screenings = screenings.filter(section__key=chosen["section"])
    if "venue" in chosen:
        screenings = screenings.filter(screen__venue__key=chosen["venue"])
    if "subtitles" in chosen:
        screenings = with_code(screenings, "subtitles", chosen["subtitles"])
    if "audience" in chosen:
        screenings = screenings.filter(audience=chosen["audience"])
    if chosen.get("started") == "hide":
        screenings = screenings.filter(starts_at__gte=timezone.now())
    return screenings_with_film_conditions(
        screenings, form=chosen.get("form"), country=chosen.get("country"), max_age=chosen.get("age")
    )


@public_page
def programme(request, edition):
    edition = published_edition(edition)
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
    day = chosen.get("day") or default_day(edition)
    # Unfiltered, the day's rows come from queries compiled once.
    rows = screening_rows(filtered_screenings(edition, day, chosen), edition, sections, day=day)
    view = chosen.get("view", "list")
    kept = {name: value for name, value in clean_query(request, filters.fields).items() if name in chosen}
    base = request.path
    days = []
    language = translation.get_language()
    for each in edition.days():
        query = {**kept, "day": each.isoformat()}
        days.append(
            {
                "date": each,
                "label": day_text(language, "D j M", each),
                "url": f"{base}?{urlencode(query)}",
                "current": each == day,
            }
        )
    other_view = "list" if view == "grid" else "grid"
    view_query = {**kept, "day": day.isoformat(), "view": other_view}
    context = {
        "edition": edition,
        "nav_edition": edition,
        "sections": list(sections.values()),
        "filters": filters,
        "chosen": chosen,
        "values": {name: str(value) for name, value in chosen.items()},
        "section_options": [(item["key"], item["name"].text) for item in sections.values()],
        "venue_options": [(item["key"], item["name"]) for item in venues],
        "subtitle_options": subtitles,
        "country_options": countries,
        "audience_options": Screening.Audience.choices,
        "form_options": Film.Form.choices,
        "day": day,
        "day_iso": day.isoformat(),
        "day_label": date_format(day, "DATE_FORMAT"),
        "days": days,
        "rows": rows,
        "rows_html": screening_items(rows, edition.key) if view == "list" else "",
        "view": view,
        "other_view_url": f"{base}?{urlencode(view_query)}",
        "canonical": f"{base}?{urlencode({'day': day.isoformat()})}",
    }
    if view == "grid":
        context["grid_screens"], context["grid_slots"] = grid(rows, day, edition.tzinfo)
    return render(request, "films/programme.html", context)


# Section ---------------------------------------------------------------------


@public_page
def section(request, edition, section):
    edition = published_edition(edition)
    sections = section_names(edition)
    current = next((item for item in sections.values() if item["key"] == section), None)
    if current is None:
        raise Http404(_("No such section."))
    selections = (
        lean(Selection.objects.filter(section_id=current["id"], film__published=True))
        .order_by("order", "id")
        .values(
            "premiere",
            "film__year",
            "film__runtime_minutes",
            "film__countries",
            *title_columns("film__"),
            *translated_columns("tagline", "film__"),
        )
    )
    film_url = UrlPattern("film", film=None)
    labels = dict(Selection.Premiere.choices)
    films = [
        {
            "title": film_title(row, prefix="film__"),
            "url": film_url(row["film__key"]),
            "premiere": labels.get(row["premiere"], ""),
            "year": row["film__year"],
            "runtime": row["film__runtime_minutes"],
            "countries": ", ".join(country_name(code) for code in row["film__countries"]),
            "tagline": translated(row, "film__tagline"),
        }
        for row in selections
    ]
    return render(
        request,
        "films/section.html",
        {"edition": edition, "nav_edition": edition, "section": current, "films": films},
    )


# Film ------------------------------------------------------------------------


# The film page's queries are compiled once (``Prepared``) and run with the film's id in FILM's place.
FILM = -90417
FILM_KEY = "\x00film-key"
NOW = datetime.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC)
FILM_LEFT_OUT = ("search_text",)  # deferred: only search reads it

_film = Prepared(
    lambda key: (
        lean(Film.objects.published()).filter(key=key).values_list(*model_columns(Film, leave_out=FILM_LEFT_OUT))
    ),
    FILM_KEY,
)
_further_titles = Prepared(
    lambda film: FilmTitle.objects.filter(film=film).order_by("order", "id").values_list("title", "language"), FILM
)
_tags = Prepared(
    lambda film: lean(Tag.objects.filter(films=film)).order_by("key").values("id", *translated_columns("name")), FILM
)
_images = Prepared(
    lambda film: (
        lean(FilmImage.objects.filter(film=film))
        .order_by("kind", "order", "id")
        .values("kind", "image", "display", "thumbnail", "photographer", *translated_columns("caption"))
    ),
    FILM,
)
_selections = Prepared(
    lambda film: (
        lean(Selection.objects.filter(film=film, section__published=True, section__edition__published=True))
        .order_by("-section__edition__start_date", "section__order")
        .values(
            "premiere",
            "section_id",
            "section__key",
            "section__edition__key",
            *translated_columns("name", "section__"),
            *translated_columns("name", "section__edition__"),
        )
    ),
    FILM,
)
_history = Prepared(
    lambda film: (
        lean(FestivalHistoryEntry.objects.filter(film=film))
        .order_by("order", "year", "id", "awards__order", "awards__id")
        .values(
            "id",
            "year",
            "section",
            "premiere",
            *translated_columns("name", "festival__"),
            "awards__name",
            "awards__recipient__name",
            "awards__recipient__key",
        )
    ),
    FILM,
)


def related_films(film):
    """Up to six published films sharing a published selection's section or a tag with ``film``, by key."""
    sections = Selection.objects.filter(film=film, section__published=True, section__edition__published=True).values(
        "section_id"
    )
    tags = Tag.objects.filter(films=film).values("id")
    return (
        lean(Film.objects.published())
        .filter(Q(selections__section_id__in=sections) | Q(tags__in=tags))
        .exclude(pk=film)
        .distinct()
        .order_by("key")
        .values("id", "year", *title_columns())[:6]
    )


_suggestions = Prepared(related_films, FILM)


def images_by_kind(images, kind):
    return [image for image in images if image["kind"] == kind]


def credit_rows(film):
    """People's and companies' credits of ``film`` in one UNION: role, order, id, person key and name, company."""
    people = (
        Credit.objects.filter(film=film)
        .order_by()
        .values_list("role", "order", "id", "person__key", "person__name", "company__name", Value("person"))
    )
    firms = (
        CompanyCredit.objects.filter(film=film)
        .order_by()
        .values_list("role", "order", "id", Value(""), Value(""), "company__name", Value("company"))
    )
    return people.union(firms, all=True)


_credits = Prepared(credit_rows, FILM)


def film_credits(film, person_url):
    """People's credits grouped by role in role order, companies by role, and the directors: one query.

    Credits of people and of companies come in one UNION; people credited for a company
    carry its name ("Valery Kalmykov for Trueman Production").
    """
    rows = _credits(film.pk)
    person_order = {role: index for index, role in enumerate(Credit.Role.values)}
    company_order = {role: index for index, role in enumerate(CompanyCredit.Role.values)}
    person_rows = sorted(
        (row for row in rows if row[6] == "person"), key=lambda row: (person_order[row[0]], row[1], row[2])
    )
    company_rows = sorted(
        (row for row in rows if row[6] == "company"), key=lambda row: (company_order[row[0]], row[1], row[2])
    )
    person_labels = dict(Credit.Role.choices)
    company_labels = dict(CompanyCredit.Role.choices)
    credits = [
        {
            "role": person_labels[role],
            "people": [{"name": row[4], "url": person_url(row[3]), "company": row[5] or ""} for row in group],
        }
        for role, group in groupby(person_rows, key=lambda row: row[0])
    ]
    companies = [
        {"role": company_labels[role], "names": [row[5] for row in group]}
        for role, group in groupby(company_rows, key=lambda row: row[0])
    ]
    directors = [SimpleNamespace(key=row[3], name=row[4]) for row in person_rows if row[0] == Credit.Role.DIRECTOR]
    return credits, companies, directors


FILM_SCREENING_COLUMNS = (
    "screening_id",
    "screening__key",
    "screening__starts_at",
    "screening__ends_at",
    "screening__status",
    "screening__subtitles",
    "screening__ticket_url",
    "screening__edition__key",
    "screening__edition__timezone",
    "screening__screen__name",
    "screening__screen__venue__key",
    "screening__screen__venue__name",
    "screening__screen__venue__address",
    "screening__screen__venue__city",
    "screening__published",
    "screening__edition__published",
    "screening__section_id",
    "screening__section__published",
    "film__published",
)


_film_screening_rows = Prepared(
    lambda film: (
        lean(ScreeningFilm.objects.filter(screening__screening_films__film=film))
        .order_by("screening__starts_at", "screening_id", "order", "id")
        .values_list(*FILM_SCREENING_COLUMNS, *title_columns("film__"))
    ),
    FILM,
)


def film_screenings(film):
    """The film's published screenings as display rows and as ``event_row`` dicts for JSON-LD: one query.

    It reads every film of every screening of this one (a shorts programme has several), with the
    screening's columns, and applies ``Screening.objects.published()``'s rules in Python: a published
    screening in a published edition, in no section or a published one, all of whose films are published.
    """
    screenings = {}
    titles = {}
    hidden = set()
    read_title = title_reader()
    for row in _film_screening_rows(film.pk):
        screening_id = row[0]
        published, edition_published, section_id, section_published, film_published = row[14:19]
        if not (published and edition_published and (section_id is None or section_published) and film_published):
            hidden.add(screening_id)
        screenings.setdefault(screening_id, row[:14])
        titles.setdefault(screening_id, []).append(str(read_title(row[19:])))
    rows = [row for screening_id, row in screenings.items() if screening_id not in hidden]
    if not rows:
        return [], []
    status_labels = {value: str(label) for value, label in Screening.Status.choices}
    language = translation.get_language()
    date_pattern = get_format("DATE_FORMAT")
    time_pattern = get_format("TIME_FORMAT")
    venue_url = UrlPattern("venue", venue=None)
    try:
        ics_url = UrlPattern("screening-ics", edition=None, screening=None)
    except NoReverseMatch:  # the calendar export may not be installed
        ics_url = None
    zones = {}
    display, events = [], []
    for (
        screening_id,
        key,
        starts_at,
        ends_at,
        status,
        subtitles,
        ticket_url,
        edition_key,
        zone,
        screen_name,
        venue_key,
        venue_name,
        address,
        city,
    ) in rows:
        if zone not in zones:
            zones[zone] = zoneinfo.ZoneInfo(zone)
        starts = starts_at.astimezone(zones[zone])
        ends = ends_at.astimezone(zones[zone])
        scheduled = status == Screening.Status.SCHEDULED
        display.append(
            {
                "key": key,
                "edition_key": edition_key,
                "date": day_text(language, date_pattern, starts.date()),
                "start": clock_text(language, time_pattern, starts.hour, starts.minute),
                "end": clock_text(language, time_pattern, ends.hour, ends.minute),
                "iso_start": starts.isoformat(),
                "venue": venue_name or "",
                "venue_url": venue_url(venue_key) if venue_key else "",
                "screen": screen_name if screen_name is not None else gettext("Online"),
                "subtitles": ", ".join(language_name(code) for code in subtitles),
                "status": status,
                "status_label": "" if scheduled else status_labels[status],
                "ticket_url": ticket_url if scheduled else "",
                "ics_url": ics_url(edition_key, key) if ics_url else "",
            }
        )
        events.append(
            {
                "summary": " / ".join(titles.get(screening_id, [])),
                "starts": starts,
                "ends": ends,
                "status": status,
                "venue": venue_name or "",
                "screen": screen_name or "",
                "address": address or "",
                "city": city or "",
                "online": screen_name is None,
                "subtitles": list(subtitles),
                "ticket_url": ticket_url,
            }
        )
    return display, events


def film_screening_items(rows):
    """The film page's screening ``<li>``s, rendered in Python like the programme's (see ``rows.py``)."""
    subtitles_label = escape(gettext("Subtitles:"))
    tickets_label = escape(gettext("Tickets"))
    ics_label = escape(gettext("Add to calendar"))
    toggles = {}
    parts = []
    for row in rows:
        key = escape(row["key"])
        if row["edition_key"] not in toggles:
            toggles[row["edition_key"]] = toggle_template(row["edition_key"])
        html = (
            f'<li class="screening screening--{escape(row["status"])}" data-screening="{key}">'
            f'<time datetime="{row["iso_start"]}">{escape(row["date"])}, {escape(row["start"])}–{escape(row["end"])}'
            "</time> · "
        )
        if row["venue"]:
            html += f'<a href="{escape(row["venue_url"])}">{escape(row["venue"])}</a>, '
        html += escape(row["screen"])
        if row["subtitles"]:
            html += f" · {subtitles_label} {escape(row['subtitles'])}"
        if row["status_label"]:
            html += f' <strong class="status status--{escape(row["status"])}">{escape(row["status_label"])}</strong>'
        if row["ticket_url"]:
            html += f' <a href="{escape(row["ticket_url"])}" rel="external">{tickets_label}</a>'
        if row["ics_url"]:
            html += f' <a href="{escape(row["ics_url"])}">{ics_label}</a>'
        html += " " + toggles[row["edition_key"]].replace(KEY_MARK, key) + "</li>"
        parts.append(html)
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


_laurels = Prepared(
    lambda film, now: (
        lean(AwardResult.objects.public(now).filter(film=film, award__section__published=True))
        .order_by("-award__edition__start_date", "award__order", "award__key", "order", "id")
        .values(
            "kind",
            "award__key",
            "person__key",
            "person__name",
            *translated_columns("name", "award__"),
            *translated_columns("name", "award__edition__"),
            *translated_columns("citation"),
        )
    ),
    FILM,
    NOW,
)


def film_sections_html(credits, companies, stills, selections, history, suggestions):
    """The film page's credits, companies, images, festival history and suggestions, rendered in Python.

    These lists are the longest part of the page; built here they cost a fraction of the template
    loops. Every value is escaped (``text_html`` keeps a fallback text's ``<span lang>``).
    """
    # Outside the f-strings below, where message extraction would not see them.
    credits_label = escape(gettext("Credits"))
    companies_label = escape(gettext("Companies"))
    images_label = escape(gettext("Images"))
    history_label = escape(gettext("Festival history"))
    suggestions_label = escape(gettext("You may also like"))
    parts = []
    html = ""
    if credits:
        html = (
            '<section aria-labelledby="credits-heading"><h2 id="credits-heading">'
            f'{credits_label}</h2>\n<dl class="credits">'
        )
        for group in credits:
            html += f"<dt>{escape(str(group['role']))}</dt>"
            for person in group["people"]:
                name = escape(person["name"])
                if person["company"]:
                    # As ``{% blocktranslate %}`` does: the values escaped, the translation itself not.
                    name = gettext("%(person)s for %(company)s") % {
                        "person": name,
                        "company": escape(person["company"]),
                    }
                html += f'<dd><a href="{escape(person["url"])}">{name}</a></dd>'
        html += "</dl>\n</section>"
    parts.append(html)
    html = ""
    if companies:
        html = (
            '<section aria-labelledby="companies-heading"><h2 id="companies-heading">'
            f'{companies_label}</h2>\n<dl class="credits">'
        )
        for group in companies:
            names = ", ".join(escape(name) for name in group["names"])
            html += f"<dt>{escape(str(group['role']))}</dt><dd>{names}</dd>"
        html += "</dl>\n</section>"
    parts.append(html)
    html = ""
    if stills:
        html = (
            '<section aria-labelledby="images-heading"><h2 id="images-heading">'
            f'{images_label}</h2>\n<ul class="stills">'
        )
        for image in stills:
            alt = image["alt"]
            lang = f' lang="{escape(alt.lang)}"' if alt.fallback else ""
            html += (
                f'<li><a href="{escape(image["url"])}"><img src="{escape(image["thumbnail"])}" '
                f'alt="{escape(alt.text)}"{lang} loading="lazy"></a></li>'
            )
        html += "</ul>\n</section>"
    parts.append(html)
    html = ""
    if selections or history:
        html = (
            '<section aria-labelledby="history-heading"><h2 id="history-heading">'
            f'{history_label}</h2>\n<ul class="history">'
        )
        for item in selections:
            html += (
                f"<li>{text_html(item['edition'])}: "
                f'<a href="{escape(item["section_url"])}">{text_html(item["section"])}</a>'
            )
            if item["premiere"]:
                html += f' · <span class="premiere">{escape(str(item["premiere"]))}</span>'
            html += "</li>"
        html += "\n"
        for item in history:
            html += f"<li>{text_html(item['festival'])} {escape(str(item['year']))}"
            if item["section"]:
                html += f": {escape(item['section'])}"
            if item["premiere"]:
                html += f' · <span class="premiere">{escape(str(item["premiere"]))}</span>'
            html += "</li>"
        html += "</ul>\n</section>"
    parts.append(html)
    html = ""
    if suggestions:
        html = (
            '<section aria-labelledby="suggestions-heading"><h2 id="suggestions-heading">'
            f'{suggestions_label}</h2>\n<ul class="suggestions">'
        )
        for item in suggestions:
            html += f'<li><a href="{escape(item["url"])}">{text_html(item["title"])}</a>'
            if item["year"]:
                html += f" ({escape(str(item['year']))})"
            html += "</li>"
        html += "</ul>\n</section>"
    parts.append(html)
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def film_laurels(film, history_rows):
    """The film's awards: our own public results (one query) and those elsewhere from its festival history.

    ``history_rows`` are the festival history's rows (one per award, see ``film``). Results are public
    only once announced: ``AwardResult.objects.public()`` leaves embargoed ones out.
    """
    kinds = dict(AwardResult.Kind.choices)
    award_url = UrlPattern("award", award=None)
    person_url = UrlPattern("person", person=None)
    ours = []
    for row in _laurels(film.pk, timezone.now()):
        ours.append(
            {
                "award": translated(row, "award__name"),
                "award_url": award_url(row["award__key"]),
                "edition": translated(row, "award__edition__name"),
                "winner": row["kind"] == AwardResult.Kind.WINNER,
                "kind": kinds[row["kind"]],
                "person": row["person__name"] or "",
                "person_url": person_url(row["person__key"]) if row["person__key"] else "",
                "citation": translated(row, "citation"),
            }
        )
    elsewhere = [
        {
            "award": row["awards__name"],
            "festival": translated(row, "festival__name"),
            "year": row["year"],
            "person": row["awards__recipient__name"] or "",
            "person_url": person_url(row["awards__recipient__key"]) if row["awards__recipient__key"] else "",
        }
        for row in history_rows
        if row["awards__name"]
    ]
    return ours, elsewhere


def laurel_texts(ours, elsewhere):
    """The awards as short texts for JSON-LD's ``award``: "Best Film, IDFA 2023", "…(special mention)"."""
    texts = []
    for item in ours:
        text = f"{item['award']}, {item['edition']}"
        texts.append(text if item["winner"] else f"{text} ({str(item['kind']).lower()})")
    texts += [f"{item['award']}, {item['festival']} {item['year']}" for item in elsewhere]
    return texts


@public_page
def film(request, film):
    rows = _film(film)
    if not rows:
        raise Http404("No film matches the given query.")
    film = Film.from_db(DEFAULT_DB_ALIAS, model_columns(Film, leave_out=FILM_LEFT_OUT), rows[0])
    film_url = UrlPattern("film", film=None)
    further_titles = [
        {"title": title, "language": language, "language_name": language_name(language)}
        for title, language in _further_titles(film.pk)
    ]
    tags = _tags(film.pk)
    for tag in tags:
        tag["label"] = translated(tag, "name")

    person_url = UrlPattern("person", person=None)
    credits, companies, directors = film_credits(film, person_url)
    images = []
    image_field = FilmImage._meta.get_field("image")
    for row in _images(film.pk):
        picture = image_field.storage.url(row["display"] or row["image"])
        images.append(
            {
                "kind": row["kind"],
                "url": picture,
                "thumbnail": image_field.storage.url(row["thumbnail"]) if row["thumbnail"] else picture,
                "alt": translated(row, "caption"),
                "photographer": row["photographer"],
            }
        )
    screenings, events = film_screenings(film)

    premiere_labels = dict(Selection.Premiere.choices)
    section_url = UrlPattern("section", edition=None, section=None)
    selections = [
        {
            "edition": translated(row, "section__edition__name"),
            "section": translated(row, "section__name"),
            "section_url": section_url(row["section__edition__key"], row["section__key"]),
            "premiere": premiere_labels.get(row["premiere"], ""),
            "section_id": row["section_id"],
        }
        for row in _selections(film.pk)
    ]
    history_rows = _history(film.pk)
    history = [
        {
            "festival": translated(first, "festival__name"),
            "year": first["year"],
            "section": first["section"],
            "premiere": premiere_labels.get(first["premiere"], ""),
        }
        for first in (next(group) for _entry, group in groupby(history_rows, key=lambda row: row["id"]))
    ]
    laurels, laurels_elsewhere = film_laurels(film, history_rows)

    section_ids = [item["section_id"] for item in selections]
    tag_ids = [tag["id"] for tag in tags]
    suggestions = []
    if section_ids or tag_ids:
        suggestions = [
            {"title": film_title(row), "url": film_url(row["key"]), "year": row["year"]}
            for row in _suggestions(film.pk)
        ]

    posters = images_by_kind(images, "poster")
    context = {
        "film": film,
        "nav_edition": nav_edition(),
        "title": film_title(film),
        "tagline": translated(film, "tagline"),
        "synopsis": translated(film, "synopsis"),
        "further_titles": further_titles,
        "countries": ", ".join(country_name(code) for code in film.countries),
        "spoken_languages": ", ".join(language_name(code) for code in film.spoken_languages),
        "tags": tags,
        "credits": credits,
        "companies": companies,
        "posters": posters,
        "stills": images_by_kind(images, "still"),
        "screenings": screenings,
        "screenings_html": film_screening_items(screenings),
        "sections_html": film_sections_html(
            credits, companies, images_by_kind(images, "still"), selections, history, suggestions
        ),
        "laurels": laurels,
        "laurels_elsewhere": laurels_elsewhere,
        "selections": selections,
        "history": history,
        "suggestions": suggestions,
        "original_lang": film.spoken_languages[0] if film.spoken_languages else "",
        "jsonld": ld_json_script(
            film_jsonld(
                film,
                None,
                request,
                directors=directors,
                other_titles=[SimpleNamespace(**item) for item in further_titles],
                image_url=posters[0]["url"] if posters else None,
                events=events,
                awards=laurel_texts(laurels, laurels_elsewhere),
            )
        ),
    }
    return render(request, "films/film.html", context)


# Person ----------------------------------------------------------------------


@public_page
def person(request, person):
    person = get_object_or_404(Person.objects.all(), key=person)
    film_url = UrlPattern("film", film=None)
    aliases = list(PersonAlias.objects.filter(person=person).order_by("name").values_list("name", flat=True))
    filmography = [
        {
            "year": row["year"],
            "title": row["title"],
            "english_title": row["english_title"] if row["english_title"] != row["title"] else "",
            "url": film_url(row["film__key"]) if row["film__key"] and row["film__published"] else "",
        }
        for row in FilmographyEntry.objects.filter(person=person)
        .order_by("order", "year", "id")
        .values("year", "title", "english_title", "film__key", "film__published")
    ]
    role_labels = dict(Credit.Role.choices)
    credit_rows = (
        Credit.objects.filter(person=person, film__published=True)
        .order_by("-film__year", "film__key", "order", "id")
        .values("role", "film_id", "film__year", "company__name", *title_columns("film__"))
    )
    films = []
    for _film_id, group in groupby(credit_rows, key=lambda row: row["film_id"]):
        group = list(group)
        films.append(
            {
                "title": film_title(group[0], prefix="film__"),
                "url": film_url(group[0]["film__key"]),
                "year": group[0]["film__year"],
                "roles": ", ".join(str(role_labels[row["role"]]) for row in group),
            }
        )
    return render(
        request,
        "films/person.html",
        {
            "person": person,
            "nav_edition": nav_edition(),
            "aliases": aliases,
            "bio": translated(person, "bio"),
            "filmography": filmography,
            "films": films,
            "awards": winners(None, person_id=person.pk),
        },
    )


# Venue -----------------------------------------------------------------------


@public_page
def venue(request, venue):
    venue = get_object_or_404(Venue.objects.all(), key=venue)
    screens = list(
        Screen.objects.filter(venue=venue).order_by("order", "name").values("name", "capacity", "wheelchair_spaces")
    )
    upcoming = list(
        Screening.objects.published()
        .filter(screen__venue=venue, ends_at__gte=timezone.now())
        .select_related("edition", "screen")
        .order_by("starts_at", "id")[:200]
    )
    film_url = UrlPattern("film", film=None)
    titles = {}
    for row in (
        ScreeningFilm.objects.filter(screening__in=[item.pk for item in upcoming])
        .order_by("screening_id", "order", "id")
        .values("screening_id", *title_columns("film__"))
    ):
        titles.setdefault(row["screening_id"], []).append(
            {"title": film_title(row, prefix="film__"), "url": film_url(row["film__key"])}
        )
    status_labels = dict(Screening.Status.choices)
    rows = []
    for screening in upcoming:
        starts = timezone.localtime(screening.starts_at, screening.edition.tzinfo)
        rows.append(
            {
                "date": date_format(starts, "DATE_FORMAT"),
                "start": date_format(starts, "TIME_FORMAT"),
                "iso_start": starts.isoformat(),
                "screen": screening.screen.name,
                "films": titles.get(screening.pk, []),
                "status_label": status_labels[screening.status] if screening.status != "scheduled" else "",
                "status": screening.status,
            }
        )
    return render(
        request,
        "films/venue.html",
        {
            "venue": venue,
            "nav_edition": nav_edition(),
            "accessibility": translated(venue, "accessibility"),
            "screens": screens,
            "rows": rows,
        },
    )


# Awards and archive ---------------------------------------------------------


def competitions_with_jury(edition):
    """``{section id: competition}`` of the edition's published competitions, with jury (president first): one query.

    The jury statement is shown once the competition's results are announced, like the results it explains.
    """
    now = timezone.now()
    president_first = Case(When(jury__role=JuryMember.Role.PRESIDENT, then=Value(0)), default=Value(1))
    rows = (
        lean(Section.objects.published().filter(edition=edition, competitive=True))
        .order_by("order", "key", "id", president_first, "jury__order", "jury__id")
        .values(
            "id",
            "key",
            "results_announced_at",
            "jury__role",
            "jury__person__key",
            "jury__person__name",
            *translated_columns("name"),
            *translated_columns("jury_statement"),
        )
    )
    roles = dict(JuryMember.Role.choices)
    person_url = UrlPattern("person", person=None)
    competitions = {}
    for row in rows:
        if row["id"] not in competitions:
            announced_at = row["results_announced_at"] or edition.results_announced_at
            announced = announced_at is not None and announced_at <= now
            competitions[row["id"]] = {
                "key": row["key"],
                "name": translated(row, "name"),
                "statement": translated(row, "jury_statement") if announced else "",
                "jury": [],
                "awards": [],
                "pending": [],
            }
        if row["jury__person__key"]:
            competitions[row["id"]]["jury"].append(
                {
                    "name": row["jury__person__name"],
                    "url": person_url(row["jury__person__key"]),
                    "role": roles[row["jury__role"]],
                    "president": row["jury__role"] == JuryMember.Role.PRESIDENT,
                }
            )
    return competitions


@public_page
def awards(request, edition):
    """The edition's palmarès: per competition, its jury and statement, then each award's winners and mentions."""
    edition = published_edition(edition)
    competitions = competitions_with_jury(edition)
    listed = {item["award_id"]: item for item in winners(edition)}
    award_url = UrlPattern("award", award=None)
    other = {"key": "", "name": "", "statement": "", "jury": [], "awards": [], "pending": []}
    for row in (
        lean(Award.objects.filter(edition=edition, section__published=True))
        .order_by("order", "key")
        .values("id", "key", "section_id", *translated_columns("name"))
    ):
        competition = competitions.get(row["section_id"], other)
        if row["id"] in listed:
            competition["awards"].append(listed[row["id"]])
        else:
            competition["pending"].append({"name": translated(row, "name"), "url": award_url(row["key"])})
    groups = [item for item in [*competitions.values(), other] if item["awards"] or item["pending"] or item["jury"]]
    return render(
        request,
        "films/awards.html",
        {
            "edition": edition,
            "nav_edition": edition,
            "competitions": groups,
            "announced": any(item["awards"] for item in groups),
        },
    )


@public_page
def award(request, award):
    """One award across the years (the same key in every edition): each year's winners and mentions, newest first.

    Only published editions' awards and announced results show; an award with no public edition is 404.
    """
    editions = {}
    for row in (
        lean(Award.objects.filter(key=award, edition__published=True, section__published=True))
        .order_by("-edition__start_date", "edition__key")
        .values(
            "id",
            "edition_id",
            "edition__key",
            "edition__year",
            *translated_columns("name"),
            *translated_columns("name", "edition__"),
        )
    ):
        editions.setdefault(
            row["edition_id"],
            {
                "edition": translated(row, "edition__name"),
                "year": row["edition__year"],
                "awards_url": reverse("awards", kwargs={"edition": row["edition__key"]}),
                "name": translated(row, "name"),
                "winners": [],
                "mentions": [],
            },
        )
    if not editions:
        raise Http404(_("No such award."))
    film_url = UrlPattern("film", film=None)
    person_url = UrlPattern("person", person=None)
    for row in (
        lean(AwardResult.objects.public().filter(award__key=award, award__section__published=True))
        .order_by("award__edition_id", "order", "id")
        .values(
            "kind",
            "award__edition_id",
            "person__key",
            "person__name",
            *title_columns("film__"),
            *translated_columns("citation"),
        )
    ):
        year = editions.get(row["award__edition_id"])
        if year is not None:
            kind = "winners" if row["kind"] == AwardResult.Kind.WINNER else "mentions"
            year[kind].append(result(row, film_url, person_url))
    years = list(editions.values())
    name = years[0]["name"]
    for year in years:
        year["renamed"] = year["name"] if year["name"] != name else ""
    return render(
        request,
        "films/award.html",
        {"nav_edition": nav_edition(), "name": name, "years": years, "award_key": award},
    )


@public_page
def editions(request):
    rows = list(Edition.objects.published().order_by("-start_date", "key"))
    items = [
        {
            "name": translated(edition, "name"),
            "festival": translated(edition.festival, "name"),
            "dates": edition_dates(edition),
            "programme_url": reverse("programme", kwargs={"edition": edition.key}),
            "awards_url": reverse("awards", kwargs={"edition": edition.key}),
        }
        for edition in rows
    ]
    return render(
        request,
        "films/editions.html",
        {"editions": items, "nav_edition": rows[0] if rows else None},
    )


# Search ---------------------------------------------------------------------

SEARCH_MAX_LENGTH = 200
SEARCH_LIMIT = 50


@public_page
def search(request):
    query = request.GET.get("q", "")[:SEARCH_MAX_LENGTH].strip()
    # Control characters match no name, and PostgreSQL refuses a NUL in a query parameter.
    needle = normalise("".join(char for char in query if char.isprintable() or char.isspace()))
    films = []
    people = []
    if needle:
        films = search_films(needle)
        people = search_people(needle)
    return render(
        request,
        "films/search.html",
        {
            "nav_edition": nav_edition(),
            "search_query": query,
            "searched": bool(needle),
            "films": films,
            "people": people,
            "canonical": f"{request.path}?{urlencode({'q': query})}" if query else request.path,
        },
    )


def search_films(needle):
    """Published films whose any title, in any script, contains ``needle`` (normalised): one query.

    ``Film.search_text`` holds every title normalised (see ``films.search``), so the match runs in SQL.
    """
    film_url = UrlPattern("film", film=None)
    rows = (
        lean(Film.objects.published().search(needle))
        .order_by("key")
        .values("year", *title_columns(), "original_title", "original_title_latin")[:SEARCH_LIMIT]
    )
    return [
        {
            "title": film_title(row),
            "url": film_url(row["key"]),
            "year": row["year"],
            "original": row["original_title"],
            "latin": row["original_title_latin"],
        }
        for row in rows
    ]


def search_people(needle):
    """People whose name or any alias contains ``needle`` (normalised): one query.

    The match runs in SQL on ``Person.search_text``; each person comes with their aliases (a row each)
    to say which name matched, read until ``SEARCH_LIMIT`` people are found.
    """
    person_url = UrlPattern("person", person=None)
    found = []
    current = None
    rows = (
        Person.objects.search(needle)
        .order_by("name", "key", "id", "aliases__name", "aliases__id")
        .values_list("id", "key", "name", "aliases__name")
    )
    for person_id, key, name, alias in rows.iterator(chunk_size=200):
        if current is None or current["id"] != person_id:
            if len(found) >= SEARCH_LIMIT:
                break
            current = {"id": person_id, "name": name, "url": person_url(key), "alias": ""}
            current["matched"] = needle in normalise(name)
            found.append(current)
        if alias and not current["matched"] and needle in normalise(alias):
            current["alias"] = alias
            current["matched"] = True
    return [{"name": item["name"], "url": item["url"], "alias": item["alias"]} for item in found]
