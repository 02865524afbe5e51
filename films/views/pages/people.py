"""The person and venue pages."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format

from ...models import Credit, FilmographyEntry, Person, PersonAlias, Screen, Screening, ScreeningFilm, Venue
from ...public import film_title, title_columns, translated
from ...queries import UrlPattern, nav_edition
from .common import public_page, winners

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
