"""Search: published films by any title, people by name or alias."""

from django.shortcuts import render
from django.utils.http import urlencode

from ...models import Film, Person
from ...public import film_title, lean, normalise, title_columns
from ...queries import UrlPattern, nav_edition
from .common import public_page

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
