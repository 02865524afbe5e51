"""Accent- and case-insensitive search that works the same on SQLite and PostgreSQL.

Films and people keep a ``search_text`` column: every name they go by (titles in every
language and script, the transliteration, further titles; a person's name and aliases),
normalised in Python. A query is normalised the same way and matched with ``contains``,
so ``kuczynska`` finds Kuczyńska and ``zgasnemo`` finds My ne zgasnemo in one indexed-table
scan, without loading every film into Python.

Saving a film or person keeps its column current, and so do signals on further titles and
aliases; code that writes with ``bulk_create`` calls ``refresh_film_search_text`` /
``refresh_person_search_text`` for the records it wrote.

On PostgreSQL a trigram GIN index on each ``search_text`` (pg_trgm's ``gin_trgm_ops``, migration 0008) serves
that ``LIKE '%…%'`` for needles of three characters or more, so an archive of many editions is not scanned
row by row; SQLite scans, as before.

Results rank (``rank_films``, ``rank_people``): a record one of whose names is the query itself comes first;
then films by the newest edition they played in (the current edition's first), then by year, newer first;
people by name.
"""

import unicodedata

from django.conf import settings
from django.db.models import Case, F, Max, Q, Value, When
from modeltranslation.utils import build_localized_fieldname

SEPARATOR = "\n"  # normalised text has no newlines, so a match never spans two names


def normalise(text):
    """NFKD, combining marks dropped, casefolded, apostrophes unified, whitespace folded.

    ``Kuczyńska`` becomes ``kuczynska``; Cyrillic ``й`` becomes ``и``, on both sides alike.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = stripped.replace("\u2019", "'").replace("\u02bc", "'")
    return " ".join(stripped.casefold().split())


def exact_name_q(needle):
    """Records one of whose names, normalised, is ``needle`` (normalised) itself: a whole line of ``search_text``."""
    return (
        Q(search_text=needle)
        | Q(search_text__startswith=f"{needle}{SEPARATOR}")
        | Q(search_text__endswith=f"{SEPARATOR}{needle}")
        | Q(search_text__contains=f"{SEPARATOR}{needle}{SEPARATOR}")
    )


def is_exact_name(needle, search_text):
    """``exact_name_q`` in Python: whether one of the names in ``search_text`` is ``needle`` itself."""
    return needle in search_text.split(SEPARATOR)


def exact_first(needle):
    """0 for a record with a name that is exactly ``needle``, else 1: to order by."""
    return Case(When(exact_name_q(needle), then=Value(0)), default=Value(1))


def rank_films(queryset, needle):
    """``queryset`` (films found by ``needle``) in the order results are shown.

    1. a film with a title that is the query itself; 2. then by the newest published edition a film played in
    (a published section of it), newest first, which puts the current edition's films first: the current
    edition is the newest published one (``films.queries.current_edition``); films never selected in a published
    edition come last; 3. then the film's year, newer first; then the key.

    The newest edition is an aggregate over the films' selections (one join and a GROUP BY), not a subquery per
    film: with a correlated subquery per match PostgreSQL priced the ranking so high that it scanned the whole
    table in parallel rather than use the trigram index (25 ms against 9 ms, EXPLAIN ANALYZE, for 534 matches
    among 9,000 films). Count the matches on the unranked queryset: a count of this one groups them first.
    """
    played = Q(selections__section__published=True, selections__section__edition__published=True)
    return queryset.alias(
        search_exact=exact_first(needle),
        search_newest=Max("selections__section__edition__start_date", filter=played),
    ).order_by(
        "search_exact",
        F("search_newest").desc(nulls_last=True),
        F("year").desc(nulls_last=True),
        "key",
    )


PEOPLE_ORDER = ("name", "key", "id")


def rank_people(queryset, needle):
    """``queryset`` (people found by ``needle``) in the order results are shown: a person with a name or alias that
    is the query itself first, then by name (in Python: ``PEOPLE_ORDER``, then exact names first by
    ``is_exact_name``)."""
    return queryset.alias(search_exact=exact_first(needle)).order_by("search_exact", *PEOPLE_ORDER)


def joined(names):
    seen = []
    for name in map(normalise, names):
        if name and name not in seen:
            seen.append(name)
    return SEPARATOR.join(seen)


def film_title_fields():
    return [build_localized_fieldname("title", code) for code, _name in settings.LANGUAGES] + [
        "original_title",
        "original_title_latin",
    ]


def film_search_text(values, further_titles):
    """``values``: a film's title columns (a dict); ``further_titles``: its FilmTitle texts."""
    return joined([values.get(field) for field in film_title_fields()] + list(further_titles))


def refresh_film_search_text(film_ids):
    """Recompute ``search_text`` of the given films in two queries, and write the ones that changed."""
    from .models import Film, FilmTitle

    further = {}
    for film_id, title in FilmTitle.objects.filter(film_id__in=film_ids).values_list("film_id", "title"):
        further.setdefault(film_id, []).append(title)
    films = []
    for row in Film.objects.filter(id__in=film_ids).values("id", "search_text", *film_title_fields()):
        text = film_search_text(row, further.get(row["id"], []))
        if text != row["search_text"]:
            films.append(Film(id=row["id"], search_text=text))
    if films:
        Film.objects.bulk_update(films, ["search_text"], batch_size=500)


def refresh_person_search_text(person_ids):
    """Recompute ``search_text`` of the given people in two queries, and write the ones that changed."""
    from .models import Person, PersonAlias

    aliases = {}
    for person_id, name in PersonAlias.objects.filter(person_id__in=person_ids).values_list("person_id", "name"):
        aliases.setdefault(person_id, []).append(name)
    people = []
    for person_id, name, current in Person.objects.filter(id__in=person_ids).values_list("id", "name", "search_text"):
        text = joined([name, *aliases.get(person_id, [])])
        if text != current:
            people.append(Person(id=person_id, search_text=text))
    if people:
        Person.objects.bulk_update(people, ["search_text"], batch_size=500)


def further_title_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_film_search_text([instance.film_id])


def alias_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_person_search_text([instance.person_id])


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    from .models import FilmTitle, PersonAlias

    for signal in (post_save, post_delete):
        signal.connect(further_title_changed, sender=FilmTitle, dispatch_uid="film_title_search_text")
        signal.connect(alias_changed, sender=PersonAlias, dispatch_uid="person_alias_search_text")
