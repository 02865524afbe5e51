"""Accent- and case-insensitive search that works the same on SQLite and PostgreSQL.

Films and people keep a ``search_text`` column: every name they go by (titles in every
language and script, the transliteration, further titles; a person's name and aliases),
normalised in Python. A query is normalised the same way and matched with ``contains``,
so ``kuczynska`` finds Kuczyńska and ``zgasnemo`` finds My ne zgasnemo in one indexed-table
scan, without loading every film into Python.

Saving a film or person keeps its column current, and so do signals on further titles and
aliases; code that writes with ``bulk_create`` calls ``refresh_film_search_text`` /
``refresh_person_search_text`` for the records it wrote.
"""

import unicodedata

from django.conf import settings
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
