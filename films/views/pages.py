"""The public programme site: edition home, programme, sections, films, people, venues, awards, archive, search.

Every page answers conditional requests: ``conditional_page`` gives each response an
ETag (a hash of its content) and answers a matching ``If-None-Match`` with 304.
"""

from itertools import groupby
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.db.models import Q, Value
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
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
    Person,
    PersonAlias,
    Screen,
    Screening,
    ScreeningFilm,
    Selection,
    Tag,
    Venue,
)
from ..public import current_language, film_title, lean, normalise, title_columns, translated, translated_columns
from ..queries import (
    UrlPattern,
    current_edition,
    default_day,
    grid,
    screening_rows,
    screenings_with_film_conditions,
    section_names,
    with_code,
)
from .rows import screening_items


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


def published_edition(key):
    return get_object_or_404(Edition.objects.published(), key=key)


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
    screenings = Screening.objects.published().on_day(edition, day)
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


def filter_options(edition):
    """Venues, subtitle languages and film countries the edition's published screenings have: three lean queries.

    Options need not apply every publication rule (a venue, a language or a published film's country
    is public anyway); ``.order_by()`` keeps DISTINCT from counting the default ordering's columns.
    """
    in_edition = {"edition": edition, "published": True}
    venues = list(
        Venue.objects.filter(**{f"screens__screenings__{name}": value for name, value in in_edition.items()})
        .distinct()
        .order_by("name", "key")
        .values("id", "key", "name")
    )
    subtitle_codes = set()
    for codes in lean(Screening.objects.filter(**in_edition)).order_by().values_list("subtitles", flat=True).distinct():
        subtitle_codes.update(codes)
    country_set = set()
    films = Film.objects.published().filter(
        **{f"screening_films__screening__{name}": value for name, value in in_edition.items()}
    )
    for codes in lean(films).order_by().values_list("countries", flat=True).distinct():
        country_set.update(codes)
    subtitles = sorted(
        ((code, language_name(code)) for code in subtitle_codes & language_codes()), key=lambda item: item[1]
    )
    countries = sorted(((code, country_name(code)) for code in country_set & country_codes()), key=lambda item: item[1])
    return venues, subtitles, countries


def clean_query(request, allowed):
    """The query string's parameters that a page knows, short values only (for building links)."""
    return {name: request.GET[name][:100] for name in allowed if request.GET.get(name)}


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
    screenings = Screening.objects.published().on_day(edition, day)
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
    screenings = screenings_with_film_conditions(
        screenings, form=chosen.get("form"), country=chosen.get("country"), max_age=chosen.get("age")
    )
    rows = screening_rows(screenings, edition, sections)
    view = chosen.get("view", "list")
    kept = {name: value for name, value in clean_query(request, filters.fields).items() if name in chosen}
    base = request.path
    days = []
    for each in edition.days():
        query = {**kept, "day": each.isoformat()}
        days.append(
            {
                "date": each,
                "label": date_format(each, "D j M"),
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


def film_structured_data(film, screenings, request, **known):
    """The film page's ``<script type="application/ld+json">``, when the structured-data module exists."""
    try:
        from ..structured_data import film_jsonld, ld_json_script
    except ImportError:
        return ""
    return ld_json_script(film_jsonld(film, screenings, request, **known))


def images_by_kind(images, kind):
    return [image for image in images if image["kind"] == kind]


def film_credits(film, person_url):
    """People's credits grouped by role in role order, companies by role, and the directors: one query.

    Credits of people and of companies come in one UNION; people credited for a company
    carry its name ("Valery Kalmykov for Trueman Production").
    """
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
    rows = list(people.union(firms, all=True))
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


@public_page
def film(request, film):
    film = get_object_or_404(Film.objects.published(), key=film)
    nav_edition = current_edition()
    film_url = UrlPattern("film", film=None)
    further_titles = [
        {"title": row["title"], "language": row["language"], "language_name": language_name(row["language"])}
        for row in FilmTitle.objects.filter(film=film).order_by("order", "id").values("title", "language")
    ]
    tags = list(lean(Tag.objects.filter(films=film)).order_by("key").values("id", "key", *translated_columns("name")))
    for tag in tags:
        tag["label"] = translated(tag, "name")

    person_url = UrlPattern("person", person=None)
    credits, companies, directors = film_credits(film, person_url)
    images = []
    for image in FilmImage.objects.filter(film=film).order_by("kind", "order", "id"):
        picture = image.display or image.image
        images.append(
            {
                "kind": image.kind,
                "url": picture.url,
                "thumbnail": (image.thumbnail or picture).url,
                "alt": translated(image, "caption"),
                "photographer": image.photographer,
            }
        )

    screenings = list(Screening.objects.for_export().filter(screening_films__film=film).order_by("starts_at", "id"))
    status_labels = dict(Screening.Status.choices)
    screening_rows_ = []
    for screening in screenings:
        tz = screening.edition.tzinfo
        starts = timezone.localtime(screening.starts_at, tz)
        ends = timezone.localtime(screening.ends_at, tz)
        ics = ""
        try:
            ics = reverse("screening-ics", kwargs={"edition": screening.edition.key, "screening": screening.key})
        except NoReverseMatch:  # the calendar export may not be installed yet
            ics = ""
        screening_rows_.append(
            {
                "key": screening.key,
                "edition_key": screening.edition.key,
                "date": date_format(starts, "DATE_FORMAT"),
                "start": date_format(starts, "TIME_FORMAT"),
                "end": date_format(ends, "TIME_FORMAT"),
                "iso_start": starts.isoformat(),
                "edition": translated(screening.edition, "name"),
                "venue": screening.screen.venue.name if screening.screen_id else "",
                "venue_key": screening.screen.venue.key if screening.screen_id else "",
                "screen": screening.screen.name if screening.screen_id else _("Online"),
                "subtitles": ", ".join(language_name(code) for code in screening.subtitles),
                "status": screening.status,
                "status_label": status_labels[screening.status] if screening.status != "scheduled" else "",
                "ticket_url": screening.ticket_url if screening.status == "scheduled" else "",
                "ics_url": ics,
                "with": [
                    {"title": film_title(item.film), "url": film_url(item.film.key)}
                    for item in screening.films_in_order
                    if item.film_id != film.pk and item.film.published
                ],
            }
        )

    premiere_labels = dict(Selection.Premiere.choices)
    selections = [
        {
            "edition": translated(row, "section__edition__name"),
            "year": row["section__edition__year"],
            "section": translated(row, "section__name"),
            "section_url": reverse(
                "section", kwargs={"edition": row["section__edition__key"], "section": row["section__key"]}
            ),
            "premiere": premiere_labels.get(row["premiere"], ""),
            "section_id": row["section_id"],
        }
        for row in lean(Selection.objects.filter(film=film, section__published=True, section__edition__published=True))
        .order_by("-section__edition__start_date", "section__order")
        .values(
            "premiere",
            "section_id",
            "section__key",
            "section__edition__key",
            "section__edition__year",
            *translated_columns("name", "section__"),
            *translated_columns("name", "section__edition__"),
        )
    ]
    history = []
    history_rows = (
        lean(FestivalHistoryEntry.objects.filter(film=film))
        .order_by("order", "year", "id", "awards__order", "awards__id")
        .values(
            "id",
            "year",
            "section",
            "premiere",
            "festival__name",
            *translated_columns("name", "festival__"),
            "awards__name",
            "awards__recipient__name",
            "awards__recipient__key",
        )
    )
    for _entry, group in groupby(history_rows, key=lambda row: row["id"]):
        group = list(group)
        first = group[0]
        history.append(
            {
                "festival": translated(first, "festival__name"),
                "year": first["year"],
                "section": first["section"],
                "premiere": premiere_labels.get(first["premiere"], ""),
                "awards": [
                    {
                        "name": row["awards__name"],
                        "recipient": row["awards__recipient__name"] or "",
                        "recipient_url": person_url(row["awards__recipient__key"])
                        if row["awards__recipient__key"]
                        else "",
                    }
                    for row in group
                    if row["awards__name"]
                ],
            }
        )

    section_ids = [item["section_id"] for item in selections]
    tag_ids = [tag["id"] for tag in tags]
    suggestions = []
    if section_ids or tag_ids:
        related = (
            lean(Film.objects.published())
            .filter(Q(selections__section_id__in=section_ids) | Q(tags__in=tag_ids))
            .exclude(pk=film.pk)
            .distinct()
            .order_by("key")
            .values("id", "year", *title_columns())[:6]
        )
        suggestions = [{"title": film_title(row), "url": film_url(row["key"]), "year": row["year"]} for row in related]

    page_language = current_language()
    context = {
        "film": film,
        "nav_edition": nav_edition,
        "title": film_title(film),
        "tagline": translated(film, "tagline"),
        "synopsis": translated(film, "synopsis"),
        "further_titles": further_titles,
        "countries": ", ".join(country_name(code) for code in film.countries),
        "spoken_languages": ", ".join(language_name(code) for code in film.spoken_languages),
        "tags": tags,
        "credits": credits,
        "companies": companies,
        "posters": images_by_kind(images, "poster"),
        "stills": images_by_kind(images, "still"),
        "screenings": screening_rows_,
        "awards": winners(None, film_id=film.pk),
        "selections": selections,
        "history": history,
        "suggestions": suggestions,
        "original_lang": film.spoken_languages[0] if film.spoken_languages else "",
        "page_language": page_language,
        "jsonld": film_structured_data(
            film,
            screenings,
            request,
            directors=directors,
            other_titles=[SimpleNamespace(**item) for item in further_titles],
            image_url=images_by_kind(images, "poster")[0]["url"] if images_by_kind(images, "poster") else None,
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
            "nav_edition": current_edition(),
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
            "nav_edition": current_edition(),
            "accessibility": translated(venue, "accessibility"),
            "screens": screens,
            "rows": rows,
        },
    )


# Awards and archive ---------------------------------------------------------


@public_page
def awards(request, edition):
    edition = published_edition(edition)
    names = {
        row["id"]: translated(row, "name")
        for row in Award.objects.filter(edition=edition, section__published=True)
        .order_by("order", "key")
        .values("id", *translated_columns("name"))
    }
    listed = winners(edition)
    with_results = {item["award_id"] for item in listed}
    without_results = [name for award_id, name in names.items() if award_id not in with_results]
    return render(
        request,
        "films/awards.html",
        {"edition": edition, "nav_edition": edition, "awards": listed, "pending": without_results},
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
    needle = normalise(query)
    films = []
    people = []
    if needle:
        films = search_films(needle)
        people = search_people(needle)
    return render(
        request,
        "films/search.html",
        {
            "nav_edition": current_edition(),
            "search_query": query,
            "searched": bool(needle),
            "films": films,
            "people": people,
            "canonical": f"{request.path}?{urlencode({'q': query})}" if query else request.path,
        },
    )


def search_films(needle):
    """Published films whose any title, in any script, contains ``needle`` (normalised): two queries."""
    title_fields = [*translated_columns("title"), "original_title", "original_title_latin"]
    rows = list(lean(Film.objects.published()).order_by("key").values("id", "key", "year", *title_fields))
    further = {}
    for film_id, text in FilmTitle.objects.filter(film__published=True).values_list("film_id", "title"):
        further.setdefault(film_id, []).append(text)
    film_url = UrlPattern("film", film=None)
    found = []
    for row in rows:
        texts = [row[field] for field in title_fields if row[field]] + further.get(row["id"], [])
        if any(needle in normalise(text) for text in texts):
            found.append(
                {
                    "title": film_title(row),
                    "url": film_url(row["key"]),
                    "year": row["year"],
                    "original": row["original_title"],
                    "latin": row["original_title_latin"],
                }
            )
            if len(found) >= SEARCH_LIMIT:
                break
    return found


def search_people(needle):
    """People whose name or any alias contains ``needle`` (normalised): two queries."""
    aliases = {}
    for person_id, name in PersonAlias.objects.values_list("person_id", "name"):
        aliases.setdefault(person_id, []).append(name)
    person_url = UrlPattern("person", person=None)
    found = []
    for person_id, key, name in Person.objects.order_by("name", "key").values_list("id", "key", "name"):
        names = [name, *aliases.get(person_id, [])]
        matches = [text for text in names if needle in normalise(text)]
        if matches:
            found.append({"name": name, "url": person_url(key), "alias": "" if name in matches else matches[0]})
            if len(found) >= SEARCH_LIMIT:
                break
    return found
