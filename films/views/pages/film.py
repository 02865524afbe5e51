"""The film page and its queries (``PageQuery``)."""

import zoneinfo
from itertools import groupby
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, Value
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext

from ... import cache as page_cache
from ...access import marker_codes
from ...cache import shows
from ...codes import country_name, language_name
from ...identity import section_class
from ...images import media_urls, picture_data
from ...models import (
    AwardResult,
    CompanyCredit,
    Credit,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    FilmTitle,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Selection,
    Tag,
)
from ...public import film_title, lean, title_columns, title_reader, translated, translated_columns
from ...queries import (
    GUEST_COLUMNS,
    PageQuery,
    UrlPattern,
    attach_changes,
    clock_text,
    day_text,
    guests_by_screening,
    nav_edition,
)
from ...structured_data import film_jsonld, ld_json_script
from .common import model_columns, public_page
from .film_html import film_screening_items, film_sections_html

# Film ------------------------------------------------------------------------


# The film page's queries (``PageQuery``), each run with the film's id.
FILM_LEFT_OUT = ("search_text",)  # deferred: only search reads it

_film = PageQuery(
    lambda key: (
        lean(Film.objects.published()).filter(key=key).values_list(*model_columns(Film, leave_out=FILM_LEFT_OUT))
    ),
)
_further_titles = PageQuery(
    lambda film: FilmTitle.objects.filter(film=film).order_by("order", "id").values_list("title", "language")
)
_tags = PageQuery(
    lambda film: lean(Tag.objects.filter(films=film)).order_by("key").values("id", *translated_columns("name"))
)
_images = PageQuery(
    lambda film: (
        lean(FilmImage.objects.filter(film=film))
        .order_by("kind", "order", "id")
        .values("kind", "display", "renditions", "photographer", *translated_columns("caption"))
    ),
)
_selections = PageQuery(
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
)
_history = PageQuery(
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
)


def related_films(film):
    """Up to six published films sharing a published selection's section or a tag with ``film``, by key."""
    sections = Selection.objects.filter(film=film, section__published=True, section__edition__published=True).values(
        "section_id"
    )
    tags = Tag.objects.filter(films=film).values("id")
    # Two IN subqueries rather than joins: no DISTINCT over every film's selections and tags.
    sharing_section = Selection.objects.filter(section_id__in=sections).values("film_id")
    sharing_tag = Film.tags.through.objects.filter(tag_id__in=tags).values("film_id")
    return (
        lean(Film.objects.published())
        .filter(Q(pk__in=sharing_section) | Q(pk__in=sharing_tag))
        .exclude(pk=film)
        .order_by("key")
        .values("id", "year", *title_columns())[:6]
    )


_suggestions = PageQuery(related_films)


def images_by_kind(images, kind):
    return [image for image in images if image["kind"] == kind]


# The width each picture of the film page takes (films/static/films/css/site.css): its ``sizes``.
LEAD_STILL_SIZES = "(min-width: 76rem) 74rem, (min-width: 40rem) calc(100vw - 2rem), 100vw"
LEAD_POSTER_SIZES = "(min-width: 40rem) 22rem, 16rem"
ASIDE_POSTER_SIZES = "(min-width: 64rem) 20rem, 7.5rem"


def film_pictures(rows, title):
    """The film's images with a file as the page shows them: ``(images, lead, poster, gallery)``.

    ``images`` all of them (``{"kind", "url", "picture", "photographer"}``, posters first), ``lead`` the one the
    page opens with (its first still, else its first poster), ``poster`` the first poster beside the facts
    (None when it leads), ``gallery`` the others. Each ``picture`` is ``films.images.picture_data``'s, its alt the
    caption (in its real language) or, without one, what it is ("Still from …"). Images known only by an address
    elsewhere (no file, no renditions) are left out.
    """
    url = media_urls(FilmImage._meta.get_field("image").storage)
    images = []
    for row in rows:
        if not row["renditions"]:
            continue
        alt = translated(row, "caption") or (
            gettext("Poster for %(title)s") if row["kind"] == FilmImage.Kind.POSTER else gettext("Still from %(title)s")
        ) % {"title": title.text}
        images.append(
            {
                "kind": row["kind"],
                "url": url(row["display"]) if row["display"] else "",
                "picture": picture_data(row["renditions"], alt, url=url),
                "photographer": row["photographer"],
            }
        )
    stills = images_by_kind(images, FilmImage.Kind.STILL)
    posters = images_by_kind(images, FilmImage.Kind.POSTER)
    lead = (stills or posters or [None])[0]
    poster = posters[0] if posters and posters[0] is not lead else None
    gallery = [image for image in images if image is not lead and image is not poster]
    return images, lead, poster, gallery


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


_credits = PageQuery(credit_rows)


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
    # Access: the screening's own markers (in ``access.SCREENING_MARKERS``' order), then its screen's.
    "screening__audio_description",
    "screening__captions",
    "screening__sign_language",
    "screening__relaxed",
    "screening__screen__step_free",
    "screening__screen__wheelchair_spaces",
    # For the note on a recent move (``queries.attach_changes``).
    "screening__screen_id",
    "screening__version",
)
# Where the film's title columns start in a row of ``_film_screening_rows``.
FILM_TITLE_AT = len(FILM_SCREENING_COLUMNS)


_film_screening_rows = PageQuery(
    lambda film: (
        lean(ScreeningFilm.objects.filter(screening__screening_films__film=film))
        .order_by("screening__starts_at", "screening_id", "order", "id")
        .values_list(*FILM_SCREENING_COLUMNS, *title_columns("film__"))
    ),
)
_film_screening_guests = PageQuery(
    lambda film: (
        ScreeningGuest.objects.filter(screening__screening_films__film=film)
        .order_by("screening_id", "order", "id")
        .values_list(*GUEST_COLUMNS)
    ),
)


def film_screenings(film):
    """The film's published screenings as display rows and as the event dicts that
    ``films.structured_data.film_jsonld`` reads: two queries (the screenings with their films, and their guests).

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
        screenings.setdefault(screening_id, (*row[:14], row[19:25], *row[25:FILM_TITLE_AT]))
        titles.setdefault(screening_id, []).append(str(read_title(row[FILM_TITLE_AT:])))
    rows = [row for screening_id, row in screenings.items() if screening_id not in hidden]
    if not rows:
        return [], []
    guests = guests_by_screening(_film_screening_guests(film.pk))
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
        access,
        _screen_id,
        _version,
    ) in rows:
        if zone not in zones:
            zones[zone] = zoneinfo.ZoneInfo(zone)
        starts = starts_at.astimezone(zones[zone])
        ends = ends_at.astimezone(zones[zone])
        scheduled = status == Screening.Status.SCHEDULED
        display.append(
            {
                "id": screening_id,
                "key": key,
                "starts_at": starts,
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
                "access": marker_codes(access[:4], access[4]),
                "wheelchair_spaces": access[5] or 0,
                "guests": guests.get(screening_id, []),
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
    attach_changes(display, [(row[0], row[16], row[2], row[15], row[4]) for row in rows])
    return display, events


_laurels = PageQuery(
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
)


def film_laurels(film, history_rows, now):
    """The film's awards: our own public results (one query) and those elsewhere from its festival history.

    ``history_rows`` are the festival history's rows (one per award, see ``film``). Results are public
    only once announced: ``AwardResult.objects.public()`` leaves embargoed ones out.
    """
    kinds = dict(AwardResult.Kind.choices)
    award_url = UrlPattern("award", award=None)
    person_url = UrlPattern("person", person=None)
    ours = []
    for row in _laurels(film.pk, now):
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
    now = timezone.now()
    return film_page(request, film, now)


def film_page(request, film, now):
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
    title = film_title(film)
    images, lead, poster, gallery = film_pictures(_images(film.pk), title)
    screenings, events = film_screenings(film)

    premiere_labels = dict(Selection.Premiere.choices)
    section_url = UrlPattern("section", edition=None, section=None)
    selections = [
        {
            "edition": translated(row, "section__edition__name"),
            "section": translated(row, "section__name"),
            "section_url": section_url(row["section__edition__key"], row["section__key"]),
            "section_class": section_class(row["section__edition__key"], row["section__key"]),
            "edition_key": row["section__edition__key"],
            "premiere": premiere_labels.get(row["premiere"], ""),
            "section_id": row["section_id"],
        }
        for row in _selections(film.pk)
    ]
    # The sections of its newest edition, in their colours under the title.
    current_sections = [item for item in selections if item["edition_key"] == selections[0]["edition_key"]]
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
    laurels, laurels_elsewhere = film_laurels(film, history_rows, now)

    suggested = _suggestions(film.pk)
    suggestions = [{"title": film_title(row), "url": film_url(row["key"]), "year": row["year"]} for row in suggested]
    # The page shows their titles: a change to one of them makes it stale.
    shows(request, *(page_cache.key("film", row["key"]) for row in suggested))

    posters = images_by_kind(images, FilmImage.Kind.POSTER)
    context = {
        "film": film,
        "nav_edition": nav_edition(),
        "title": title,
        "tagline": translated(film, "tagline"),
        "synopsis": translated(film, "synopsis"),
        "further_titles": further_titles,
        "countries": ", ".join(country_name(code) for code in film.countries),
        "spoken_languages": ", ".join(language_name(code) for code in film.spoken_languages),
        "tags": tags,
        "credits": credits,
        "companies": companies,
        "lead": lead,
        "lead_sizes": LEAD_STILL_SIZES if lead and lead["kind"] == FilmImage.Kind.STILL else LEAD_POSTER_SIZES,
        "poster": poster,
        "poster_sizes": ASIDE_POSTER_SIZES,
        "screenings": screenings,
        "screenings_html": film_screening_items(screenings),
        "current_sections": current_sections,
        "sections_html": film_sections_html(credits, companies, gallery, selections, history, suggestions),
        "laurels": laurels,
        "laurels_elsewhere": laurels_elsewhere,
        "selections": selections,
        "history": history,
        "suggestions": suggestions,
        "original_lang": film.spoken_languages[0] if film.spoken_languages else "",
        "jsonld": ld_json_script(
            film_jsonld(
                film,
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
