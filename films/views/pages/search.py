"""Search: published films by any title, people by name or alias, ranked and paginated.

How records are matched and ranked is ``films.search``. Each list shows ``SEARCH_PAGE_SIZE`` results a page,
says how many there are and links to the previous and next page: films by ``page``, people by ``people_page``.
A page number past the end shows the last page; one that is not a whole number, the first (as Django's
``Paginator.get_page``). Queries: the edition in the header; per list its page, and a count when there is more
than one page (not for the films' first page: its rows carry the count); the places of the page's films: six at
most, however many results.
"""

import math

from django.db.models import Count, Window
from django.shortcuts import render
from django.utils.http import urlencode

from ...models import Film, Person, Selection
from ...public import film_title, lean, title_columns, translated, translated_columns
from ...queries import UrlPattern, card_image, nav_edition
from ...search import PEOPLE_ORDER, is_exact_name, normalise, rank_films, rank_people
from .. import rows as rows_html
from ..rows import card_thumbnails
from .common import public_page

# Search ---------------------------------------------------------------------

SEARCH_MAX_LENGTH = 200
SEARCH_PAGE_SIZE = 50
FILMS_PAGE = "page"
PEOPLE_PAGE = "people_page"


@public_page
def search(request):
    query = request.GET.get("q", "")[:SEARCH_MAX_LENGTH].strip()
    # Control characters match no name, and PostgreSQL refuses a NUL in a query parameter.
    needle = normalise("".join(char for char in query if char.isprintable() or char.isspace()))
    edition = nav_edition()
    films = people = None
    if needle:
        films = search_films(needle, request.GET.get(FILMS_PAGE))
        people = search_people(needle, request.GET.get(PEOPLE_PAGE))
        link_pages(request.path, query, films, people)
    return render(
        request,
        "films/search.html",
        {
            "nav_edition": edition,
            "search_query": query,
            "searched": bool(needle),
            "films": films,
            "people": people,
            "canonical": canonical(request.path, query, films, people),
        },
    )


def page_number(text):
    """The page number asked for in the query string: 1 unless a whole number of at least 1."""
    try:
        number = int(text or 1)
    except ValueError:
        return 1
    return max(number, 1)


def paginate(fetch, count, text):
    """``(items, page)``: the page ``text`` (from the query string) of a list of results, ``SEARCH_PAGE_SIZE`` a
    page, and what the page says: how many results in all, the page's number, how many pages, the rank of its
    first and last item. Past the end it is the last page.

    ``fetch(offset, limit)`` returns the results from ``offset`` on, at most ``limit``; ``count()`` how many
    there are. As Django's ``Paginator.get_page``, but the first page fetches one result more than it shows and
    counts only when that one is there: a search with one page of results costs one query, not two.
    """
    size = SEARCH_PAGE_SIZE
    number = page_number(text)
    if number == 1:
        items = fetch(0, size + 1)
        total = len(items) if len(items) <= size else count()
    else:
        total = count()
        number = min(number, max(math.ceil(total / size), 1))
        items = fetch((number - 1) * size, size) if total else []
    items = items[:size]
    first = (number - 1) * size + 1 if items else 0
    return items, {
        "total": total,
        "number": number,
        "pages": max(math.ceil(total / size), 1),
        "first": first,
        "last": first + len(items) - 1 if items else 0,
        "previous_url": "",
        "next_url": "",
    }


def search_films(needle, number):
    """The page ``number`` of published films whose any title, in any script, contains ``needle`` (normalised),
    ranked (``films.search.rank_films``): the page and the places of its films (two queries; one when nothing
    is found), and a count for a page after the first.

    Each film comes with its year and where it played: the newest published edition and section it was
    selected in (with a link to the section), if any.
    """
    found = Film.objects.published().search(needle)
    films = (
        lean(rank_films(found, needle))
        # How many films match, in each row: a window over them all, which the ranking reads anyway.
        .annotate(card=card_image(), matches=Window(Count("pk")))
        .values("id", "key", "year", *title_columns(), "original_title", "original_title_latin", "card", "matches")
    )
    read = []

    def fetch(offset, limit):
        read[:] = films[offset : offset + limit]
        return read

    def count():
        # The first page is read before it is counted: its rows say how many there are, without a second pass
        # over the matches. A later page is counted first (to find the last page).
        return read[0]["matches"] if read else found.count()

    rows, result = paginate(fetch, count, number)
    places = newest_places([row["id"] for row in rows])
    film_url = UrlPattern("film", film=None)
    thumbnail = card_thumbnails("card__image")
    entries = [
        {
            "title": film_title(row),
            "url": film_url(row["key"]),
            "year": row["year"],
            "original": row["original_title"],
            "thumbnail": thumbnail(row["card"], index),
            **places.get(row["id"], {}),
        }
        for index, row in enumerate(rows)
    ]
    # The longest list of the page, in Jinja2 as the programme's rows (``films.views.rows``).
    result["list_html"] = rows_html.render("search_films.html", {"entries": entries})
    return result


def newest_places(film_ids):
    """``{film id: {"edition", "section", "section_url"}}``: the newest published edition and section each of
    ``film_ids`` was selected in (by the edition's first day, then the section's order), in one query."""
    if not film_ids:
        return {}
    rows = (
        lean(Selection.objects.filter(film_id__in=film_ids, section__published=True, section__edition__published=True))
        .order_by("film_id", "-section__edition__start_date", "section__edition__key", "section__order", "section__key")
        .values(
            "film_id",
            "section__key",
            "section__edition__key",
            *translated_columns("name", "section__"),
            *translated_columns("name", "section__edition__"),
        )
    )
    section_url = UrlPattern("section", edition=None, section=None)
    places = {}
    for row in rows:
        if row["film_id"] not in places:
            places[row["film_id"]] = {
                "edition": translated(row, "section__edition__name"),
                "section": translated(row, "section__name"),
                "section_url": section_url(row["section__edition__key"], row["section__key"]),
            }
    return places


def search_people(needle, number):
    """The page ``number`` of people whose name or any alias contains ``needle`` (normalised), ranked
    (``films.search.rank_people``): one query, and a count when there is more than one page.

    The page's people come with their aliases (a row each) to say which name matched: the page is cut in a
    subquery of person ids, ranked, so that a person with many aliases counts once; the outer query orders by
    name and Python puts the exact matches first again (cheaper than ranking twice in SQL).
    """
    found = Person.objects.search(needle)
    ranked = rank_people(found, needle)
    person_url = UrlPattern("person", person=None)

    def fetch(offset, limit):
        rows = (
            Person.objects.filter(pk__in=ranked.values("pk")[offset : offset + limit])
            .order_by(*PEOPLE_ORDER, "aliases__name", "aliases__id")
            .values_list("id", "key", "name", "search_text", "aliases__name")
        )
        items = []
        for person_id, key, name, search_text, alias in rows:
            if not items or items[-1]["id"] != person_id:
                items.append(
                    {
                        "id": person_id,
                        "name": name,
                        "url": person_url(key),
                        "alias": "",
                        "exact": is_exact_name(needle, search_text),
                        "matched": needle in normalise(name),
                    }
                )
            if alias and not items[-1]["matched"] and needle in normalise(alias):
                items[-1]["alias"] = alias
                items[-1]["matched"] = True
        items.sort(key=lambda item: not item["exact"])  # stable: by name within each group, as ranked
        return items

    items, result = paginate(fetch, found.count, number)
    result["entries"] = [{"name": item["name"], "url": item["url"], "alias": item["alias"]} for item in items]
    return result


def search_url(path, query, films_page=1, people_page=1):
    """The search page for ``query`` at the given page of each list (a first page is left out of the URL)."""
    parameters = {"q": query}
    if films_page > 1:
        parameters[FILMS_PAGE] = films_page
    if people_page > 1:
        parameters[PEOPLE_PAGE] = people_page
    return f"{path}?{urlencode(parameters)}"


def link_pages(path, query, films, people):
    """Give each list the URLs of its previous and next page; the other list stays at its page."""
    for result, other in ((films, people), (people, films)):
        for key, number in (("previous_url", result["number"] - 1), ("next_url", result["number"] + 1)):
            if 1 <= number <= result["pages"]:
                pages = (number, other["number"]) if result is films else (other["number"], number)
                result[key] = search_url(path, query, *pages)


def canonical(path, query, films, people):
    if not query:
        return path
    if films is None:
        return f"{path}?{urlencode({'q': query})}"
    return search_url(path, query, films["number"], people["number"])
