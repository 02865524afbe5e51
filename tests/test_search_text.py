"""Films and people are found by any name they go by, ignoring case and accents, on both databases."""

import pytest

from films.models import Film, FilmTitle, Person, PersonAlias
from films.search import normalise, refresh_film_search_text, refresh_person_search_text

# A further title or alias saved or deleted: its own write, then the refresh (read the names, read the record,
# write its search text).
TITLE_SAVE_QUERIES = 5
TITLE_DELETE_QUERIES = 5
ALIAS_SAVE_QUERIES = 7
ALIAS_DELETE_QUERIES = 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Katarzyna Kuczyńska", "katarzyna kuczynska"),
        ("Ми  не\u00a0згаснемо", "ми не згаснемо"),
        ("Stéphane", "stephane"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("Alisa\u2019s", "alisa's"),
        # The modifier letter apostrophe of Ukrainian transliteration, as in Mar'iana.
        ("Mar\u02bciana", "mar'iana"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalise_folds_case_accents_spacing_and_apostrophes(text, expected):
    assert normalise(text) == expected


def test_normalise_folds_case_accents_and_apostrophes():
    assert normalise("  Katarzyna   KUCZYŃSKA ") == "katarzyna kuczynska"
    assert normalise("Ми не згаснемо") == "ми не згаснемо"
    assert normalise("Stéphane d’Arc") == "stephane d'arc"


def test_film_is_found_by_any_title_in_any_script(film):
    FilmTitle.objects.create(film=film, title="Мы не погаснем", language="ru")
    assert list(Film.objects.search("zgasnemo")) == [film]
    assert list(Film.objects.search("МИ НЕ")) == [film]
    assert list(Film.objects.search("fade away")) == [film]
    assert list(Film.objects.search("погаснем")) == [film]
    assert list(Film.objects.search("expedition")) == []
    assert list(Film.objects.search("   ")) == []


def test_removing_a_further_title_removes_it_from_search(film):
    title = FilmTitle.objects.create(film=film, title="Expedition 49", language="en")
    assert list(Film.objects.search("expedition")) == [film]
    title.delete()
    assert list(Film.objects.search("expedition")) == []


def test_person_is_found_by_name_or_alias_without_accents(db):
    person = Person.objects.create(key="katarzyna-kuczynska", name="Katarzyna Kuczyńska")
    assert list(Person.objects.search("kuczynska")) == [person]
    PersonAlias.objects.create(person=person, name="Kasia Kuczynska-Nowak")
    assert list(Person.objects.search("nowak")) == [person]


def test_bulk_written_records_are_refreshed_on_request(db):
    film = Film.objects.bulk_create([Film(key="bulk", title="Bulk Película")])[0]
    person = Person.objects.bulk_create([Person(key="bulk-person", name="Zoë Ångström")])[0]
    assert list(Film.objects.search("pelicula")) == []
    refresh_film_search_text([film.pk])
    refresh_person_search_text([person.pk])
    assert list(Film.objects.search("pelicula")) == [film]
    assert list(Person.objects.search("zoe angstrom")) == [person]


def test_imported_catalogue_is_searchable(db):
    from pathlib import Path

    from films.catalogue import import_catalogue

    example = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
    import_catalogue([example])
    assert list(Film.objects.search("zgasnemo").values_list("key", flat=True)) == ["we-will-not-fade-away"]
    assert list(Film.objects.search("експедиція").values_list("key", flat=True)) == ["we-will-not-fade-away"]
    assert list(Person.objects.search("maria nesterenko").values_list("key", flat=True)) == ["mariia-nesterenko"]
    assert list(Person.objects.search("kuczynska").values_list("key", flat=True)) == ["katarzyna-kuczynska"]


def test_search_signals_connected_again_still_refresh_once_per_save_and_delete(film, django_assert_num_queries):
    """``connect_signals`` runs when the app starts; run again (a reloaded app), it keeps one receiver per signal, and
    each save and delete of a further title or an alias keeps the search text current."""
    from films.search import connect_signals

    connect_signals()
    person = Person.objects.create(key="katarzyna-kuczynska", name="Katarzyna Kuczyńska")
    with django_assert_num_queries(TITLE_SAVE_QUERIES):
        title = FilmTitle.objects.create(film=film, title="Expedition 49", language="en")
    assert list(Film.objects.search("expedition")) == [film]
    with django_assert_num_queries(TITLE_DELETE_QUERIES):
        title.delete()
    assert list(Film.objects.search("expedition")) == []
    with django_assert_num_queries(ALIAS_SAVE_QUERIES):
        alias = PersonAlias.objects.create(person=person, name="Kasia Nowak")
    assert list(Person.objects.search("nowak")) == [person]
    with django_assert_num_queries(ALIAS_DELETE_QUERIES):
        alias.delete()
    assert list(Person.objects.search("nowak")) == []
