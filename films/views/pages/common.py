"""Shared by the public pages: the conditional-response decorator, edition lookup, award results."""

from itertools import groupby

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.views.decorators.http import conditional_page, require_safe

from ...models import AwardResult, Edition
from ...public import film_title, lean, title_columns, translated, translated_columns
from ...queries import PageQuery, UrlPattern


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


_edition = PageQuery(
    lambda key: lean(Edition.objects.filter(published=True, key=key)).values_list(*model_columns(Edition)),
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
