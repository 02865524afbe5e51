"""The edition pages: home, section, palmarès and award across the years, editions archive."""

from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ...cache import programme_keys, shows
from ...codes import country_name
from ...models import Award, AwardResult, Edition, JuryMember, Section, Selection
from ...models.festival import announcement_time
from ...public import film_title, lean, title_columns, translated, translated_columns
from ...queries import (
    UrlPattern,
    card_image,
    current_edition,
    default_day,
    edition_screenings,
    nav_edition,
    screening_rows,
    section_names,
)
from ..rows import card_thumbnails, screening_items
from .common import edition_dates, public_page, published_edition, result, winners

# Edition home ----------------------------------------------------------------


@public_page
def home(request):
    edition = current_edition()
    if edition is None:
        return render(request, "films/home.html", {"edition": None, "nav_edition": None})
    sections = section_names(edition)
    day = default_day(edition)
    shows(request, *programme_keys(edition.key, day))
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
        .annotate(film_card=card_image("film_id"))
        .order_by("order", "id")
        .values(
            "premiere",
            "film__year",
            "film__runtime_minutes",
            "film__countries",
            *title_columns("film__"),
            *translated_columns("tagline", "film__"),
            "film_card",
        )
    )
    film_url = UrlPattern("film", film=None)
    labels = dict(Selection.Premiere.choices)
    thumbnail = card_thumbnails("card__image")
    films = [
        {
            "title": film_title(row, prefix="film__"),
            "url": film_url(row["film__key"]),
            "premiere": labels.get(row["premiere"], ""),
            "year": row["film__year"],
            "runtime": row["film__runtime_minutes"],
            "countries": ", ".join(country_name(code) for code in row["film__countries"]),
            "tagline": translated(row, "film__tagline"),
            "thumbnail": thumbnail(row["film_card"], index),
        }
        for index, row in enumerate(selections)
    ]
    return render(
        request,
        "films/section.html",
        {"edition": edition, "nav_edition": edition, "section": current, "films": films},
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
            announced = announcement_time(row["results_announced_at"], edition) <= now
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
    rows = list(Edition.objects.published().select_related("festival").order_by("-start_date", "key"))
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
