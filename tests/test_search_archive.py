"""Search at archive scale (issue #17): ranked results, each film's year and where it played, pages of 50, a
fixed number of queries, and on PostgreSQL trigram indexes that serve the search's ``LIKE``."""

import datetime
import re

import pytest
from django.db import connection

from films.models import Edition, Film, FilmTitle, Person, PersonAlias, Section, Selection
from films.search import refresh_film_search_text, refresh_person_search_text

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm and GIN are PostgreSQL's")


# A search result's start: a film without a picture has a placeholder where its thumbnail would be.
CARD = '<li class="card"><span class="card__image picture--none"></span>'


def film_keys(response):
    """The keys of the films listed on a search page, in order (none has a picture: each a placeholder)."""
    assert response.status_code == 200
    return re.findall(
        r'<li class="card"><span class="card__image picture--none"></span><a href="/en/films/([^/]+)/">',
        response.content.decode(),
    )


def people_keys(response):
    assert response.status_code == 200
    return re.findall(r'<li><a href="/en/people/([^/]+)/">', response.content.decode())


def text_of(response):
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def editions(festival):
    """Three published editions, 2021 to 2023 (the current one), each with a published Panorama; 2023 has a
    draft section too, and a draft edition 2024 has a Panorama."""
    made = {}
    for year in (2021, 2022, 2023, 2024):
        edition = Edition.objects.create(
            festival=festival,
            key=f"fest-{year}",
            year=year,
            name=f"Festival {year}",
            start_date=datetime.date(year, 11, 8),
            end_date=datetime.date(year, 11, 19),
            timezone="Europe/Amsterdam",
            published=year < 2024,
        )
        made[year] = Section.objects.create(edition=edition, key="panorama", name="Panorama", published=True)
    made["draft"] = Section.objects.create(edition=made[2023].edition, key="secret", name="Secret", published=False)
    return made


def film(key, title, year, *sections, **fields):
    made = Film.objects.create(key=key, title=title, year=year, published=True, **fields)
    for section in sections:
        Selection.objects.create(section=section, film=made)
    return made


@pytest.fixture
def houses(editions):
    film("glass-house", "Glass House", 2023, editions[2023])
    film("house", "House", 2021, editions[2021])
    film("house-of-us", "House of Us", 2019, editions[2021], editions[2023])
    film("houseboat", "Houseboat", 2022, editions[2022])
    film("old-house", "The Old House", 2020, editions[2021])
    film("summer-house", "Summer House", 2024)
    film("treehouse", "Treehouse", 2021, editions[2021], editions[2024])  # 2024 is a draft edition
    # Selected in a draft section of the current edition: it ranks, and shows, as a 2022 film.
    film("house-in-draft", "A House in Draft", 2022, editions[2022], editions["draft"])


# Ranking -----------------------------------------------------------------------


def test_results_rank_exact_title_then_current_edition_then_newer_before_older(client, houses):
    assert film_keys(client.get("/en/search/", {"q": "house"})) == [
        "house",  # the title is the query itself, though it played in the oldest edition
        "glass-house",  # in the current edition (2023), the newer film first
        "house-of-us",
        "house-in-draft",  # newest edition 2022 (its 2023 section is a draft), year 2022, then by key
        "houseboat",
        "treehouse",  # 2021, year 2021
        "old-house",  # 2021, year 2020
        "summer-house",  # never selected in a published edition
    ]


def test_an_exact_match_counts_any_title_in_any_script_ignoring_case_and_accents(client, editions):
    film("dim-bez-dverei", "A House Without Doors", 2023, editions[2023], title_uk="Дім без дверей")
    film("dim", "Home", 2019, editions[2021], original_title="Дім", original_title_latin="Dim")
    further = film("house-at-the-edge", "The House at the Edge", 2020, editions[2021])
    FilmTitle.objects.create(film=further, title="Dím", language="cs")
    film("dimensions", "Dimensions", 2023, editions[2023])
    assert film_keys(client.get("/en/search/", {"q": "ДІМ"})) == ["dim", "dim-bez-dverei"]
    # Two exact matches (a further title, a transliteration), the newer film first; then the current edition's.
    assert film_keys(client.get("/en/search/", {"q": "dim"})) == ["house-at-the-edge", "dim", "dimensions"]


def test_people_rank_an_exact_name_or_alias_first_then_by_name(client, db):
    Person.objects.create(key="anna-berg", name="Anna Berg")
    Person.objects.create(key="berg", name="Berg")
    alias = Person.objects.create(key="hanna-bergström", name="Hanna Bergström")
    PersonAlias.objects.create(person=alias, name="BERG")
    Person.objects.create(key="bergman", name="Ingrid Bergman")
    assert people_keys(client.get("/en/search/", {"q": "berg"})) == ["berg", "hanna-bergström", "anna-berg", "bergman"]


def test_a_film_without_a_year_ranks_after_the_dated_films_of_its_edition(client, editions):
    film("nameless-house", "Nameless House", None, editions[2023])
    film("glass-house", "Glass House", 2019, editions[2023])
    film("old-house", "Old House", 2018)
    # Without a year last among the current edition's; never selected in a published edition after both.
    assert film_keys(client.get("/en/search/", {"q": "house"})) == ["glass-house", "nameless-house", "old-house"]


# What each result shows ----------------------------------------------------------


def test_each_film_shows_its_year_and_the_newest_edition_and_section_it_played_in(client, houses):
    html = client.get("/en/search/", {"q": "house"}).content.decode()
    assert (
        f'{CARD}<a href="/en/films/house-of-us/">House of Us</a> (2019) · <span class="meta">Festival 2023: '
        '<a href="/en/fest-2023/sections/panorama/">Panorama</a></span></li>'
    ) in html
    assert (
        f'{CARD}<a href="/en/films/house/">House</a> (2021) · <span class="meta">Festival 2021: '
        '<a href="/en/fest-2021/sections/panorama/">Panorama</a></span></li>'
    ) in html
    # A draft section or edition is never named; a film that played nowhere public says only its year.
    assert (
        f'{CARD}<a href="/en/films/house-in-draft/">A House in Draft</a> (2022) · <span class="meta">Festival 2022: '
        '<a href="/en/fest-2022/sections/panorama/">Panorama</a></span></li>'
    ) in html
    assert "Secret" not in html
    assert (
        f'{CARD}<a href="/en/films/treehouse/">Treehouse</a> (2021) · <span class="meta">Festival 2021: '
        '<a href="/en/fest-2021/sections/panorama/">Panorama</a></span></li>'
    ) in html
    assert "fest-2024" not in html
    assert f'{CARD}<a href="/en/films/summer-house/">Summer House</a> (2024)</li>' in html
    assert "8 films found." in text_of(client.get("/en/search/", {"q": "house"}))


def test_edition_and_section_names_follow_the_page_language(client, houses):
    section = Section.objects.get(edition__key="fest-2023", key="panorama")
    section.name_uk = "Панорама"
    section.save()
    html = client.get("/uk/search/", {"q": "glass"}).content.decode()
    assert (
        '<a href="/uk/films/glass-house/"><span lang="en">Glass House</span></a> (2023) · <span class="meta">'
        '<span lang="en">Festival 2023</span>: <a href="/uk/fest-2023/sections/panorama/">Панорама</a></span>'
    ) in html


# Pages of 50 -------------------------------------------------------------------


@pytest.fixture
def lighthouses(db):
    """51 published films and 51 people called Lighthouse."""
    films = Film.objects.bulk_create(
        Film(key=f"lighthouse-{number:02d}", title=f"Lighthouse {number}", year=2020, published=True)
        for number in range(1, 52)
    )
    refresh_film_search_text([item.pk for item in films])
    people = Person.objects.bulk_create(
        Person(key=f"keeper-{number:02d}", name=f"Keeper {number:02d} Lighthouse") for number in range(1, 52)
    )
    refresh_person_search_text([person.pk for person in people])


def test_51_results_make_two_pages_that_say_how_many_there_are(client, lighthouses):
    first = client.get("/en/search/", {"q": "lighthouse"})
    keys = film_keys(first)
    assert keys == [f"lighthouse-{number:02d}" for number in range(1, 51)]
    text = text_of(first)
    assert "Films 51 films found. Showing 1–50." in text
    assert "Page 1 of 2 · Next page People 51 people found. Showing 1–50." in text
    html = first.content.decode()
    assert (
        '<nav class="pagination" aria-label="Pages of films"><p>Page 1 of 2 · '
        '<a rel="next" href="/en/search/?q=lighthouse&amp;page=2">Next page</a></p></nav>'
    ) in html
    assert '<a rel="next" href="/en/search/?q=lighthouse&amp;people_page=2">Next page</a>' in html
    assert '<link rel="canonical" href="http://testserver/en/search/?q=lighthouse">' in html

    second = client.get("/en/search/", {"q": "lighthouse", "page": "2"})
    assert film_keys(second) == ["lighthouse-51"]
    assert people_keys(second) == [f"keeper-{number:02d}" for number in range(1, 51)]
    assert (
        "Films 51 films found. Showing 51–51. Lighthouse 51 (2020) Previous page · Page 2 of 2 "
        "People 51 people found. Showing 1–50. Keeper 01 Lighthouse"
    ) in text_of(second)
    html = second.content.decode()
    assert '<a rel="prev" href="/en/search/?q=lighthouse">Previous page</a>' in html
    # The people's pages keep the films' page.
    assert '<a rel="next" href="/en/search/?q=lighthouse&amp;page=2&amp;people_page=2">Next page</a>' in html
    assert '<link rel="canonical" href="http://testserver/en/search/?q=lighthouse&amp;page=2">' in html

    people = client.get("/en/search/", {"q": "lighthouse", "people_page": "2"})
    assert people_keys(people) == ["keeper-51"]
    assert len(film_keys(people)) == 50


def test_films_selected_in_several_editions_are_counted_once(client, editions, lighthouses):
    """The first page's rows carry the count of films found (more than the 51 it reads): films, not their
    selections."""
    film("lighthouse-52", "Lighthouse 52", 2020)
    film("lighthouse-53", "Lighthouse 53", 2020)
    for item in Film.objects.filter(key__startswith="lighthouse-"):
        Selection.objects.create(section=editions[2021], film=item)
        Selection.objects.create(section=editions[2022], film=item)
    text = text_of(client.get("/en/search/", {"q": "lighthouse"}))
    assert "Films 53 films found. Showing 1–50." in text
    assert "Films 53 films found. Showing 51–53." in text_of(client.get("/en/search/", {"q": "lighthouse", "page": 2}))


def test_the_people_on_a_first_page_are_the_exact_match_then_the_first_by_name(client, lighthouses):
    # Made after the 51 keepers: the first page is the ranking's, not the order they were written in.
    Person.objects.create(key="aaron", name="Aaron Lighthouse")
    Person.objects.create(key="the-lighthouse", name="Lighthouse")
    first = client.get("/en/search/", {"q": "lighthouse"})
    assert people_keys(first) == ["the-lighthouse", "aaron"] + [f"keeper-{number:02d}" for number in range(1, 49)]
    second = client.get("/en/search/", {"q": "lighthouse", "people_page": "2"})
    assert people_keys(second) == ["keeper-49", "keeper-50", "keeper-51"]


@pytest.mark.parametrize("page", ["3", "99", "99999999999999999999999"])
def test_a_page_past_the_end_shows_the_last_page(client, lighthouses, page):
    response = client.get("/en/search/", {"q": "lighthouse", "page": page})
    assert film_keys(response) == ["lighthouse-51"]
    assert "Showing 51–51." in text_of(response)
    assert '<link rel="canonical" href="http://testserver/en/search/?q=lighthouse&amp;page=2">' in (
        response.content.decode()
    )


@pytest.mark.parametrize("page", ["", "0", "-1", "two", "1.5", "1e309", "1" * 5000, "\x00", "<script>"])
def test_a_page_that_is_not_a_page_number_shows_the_first(client, lighthouses, page):
    response = client.get("/en/search/", {"q": "lighthouse", "page": page})
    assert film_keys(response)[:2] == ["lighthouse-01", "lighthouse-02"]
    assert "Showing 1–50." in text_of(response)


def test_50_results_are_one_page_without_page_links(client, lighthouses):
    Film.objects.filter(key="lighthouse-51").update(published=False)
    Person.objects.filter(key="keeper-51").delete()
    response = client.get("/en/search/", {"q": "lighthouse"})
    assert len(film_keys(response)) == 50
    text = text_of(response)
    assert "Films 50 films found. Lighthouse 1" in text
    assert "People 50 people found. Keeper 01" in text
    assert "Page " not in text
    assert "pagination" not in response.content.decode()


def test_one_result_is_counted_in_the_singular(client, houses):
    text = text_of(client.get("/en/search/", {"q": "glass"}))
    assert "Films 1 film found. Glass House" in text
    assert "People No people found." in text


# Queries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "queries"),
    [
        # The edition in the header, the films' page, their places, the people's page.
        ({"q": "lighthouse 7"}, 4),
        # And a count of the people: more than one page (the films' first page says how many films there are).
        ({"q": "lighthouse"}, 5),
        # A later page of each list is counted first.
        ({"q": "lighthouse", "page": "2", "people_page": "2"}, 6),
        ({"q": "lighthouse", "page": "9", "people_page": "9"}, 6),
        # Nothing found: the header's edition and one query per list.
        ({"q": "nothing like it"}, 3),
    ],
)
def test_search_query_count_is_fixed_whatever_the_number_of_results(
    client, editions, lighthouses, django_assert_num_queries, parameters, queries
):
    for item in Film.objects.filter(key__startswith="lighthouse-"):
        Selection.objects.create(section=editions[2021 + item.pk % 3], film=item)
    with django_assert_num_queries(queries):
        response = client.get("/en/search/", parameters)
    assert response.status_code == 200
    assert "Festival 20" in response.content.decode() or parameters["q"] == "nothing like it"


# The trigram indexes ---------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db
def test_trigram_indexes_exist_on_the_search_text_of_films_and_people():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname IN "
            "('films_film_search_trgm', 'films_person_search_trgm') ORDER BY tablename"
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
    # Without GIN's pending list (fastupdate), rows written in bulk are searchable through the index at once.
    assert rows == [
        (
            "films_film",
            "CREATE INDEX films_film_search_trgm ON public.films_film USING gin (search_text gin_trgm_ops) "
            "WITH (fastupdate=off)",
        ),
        (
            "films_person",
            "CREATE INDEX films_person_search_trgm ON public.films_person USING gin (search_text gin_trgm_ops) "
            "WITH (fastupdate=off)",
        ),
    ]


@postgresql_only
def test_the_search_queries_can_use_the_trigram_indexes(houses):
    """On a test-sized table the planner rightly prefers a scan; with table scans and plain index scans (of the
    primary key, in its order) priced out, a plan that still scans would mean the trigram index cannot serve
    the query's expression."""
    from films.search import rank_films, rank_people

    Person.objects.create(key="anna-house", name="Anna House")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    films = rank_films(Film.objects.published().search("house"), "house")
    plan = films.explain()
    assert "Bitmap Index Scan on films_film_search_trgm" in plan
    assert "Index Cond: (search_text ~~ '%house%'::text)" in plan
    # As the count of the results filters (unordered).
    assert (
        "Bitmap Index Scan on films_film_search_trgm" in Film.objects.published().search("house").order_by().explain()
    )
    people = rank_people(Person.objects.search("house"), "house")
    assert "Bitmap Index Scan on films_person_search_trgm" in people.explain()
    assert list(films.values_list("key", flat=True))[:2] == ["house", "glass-house"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's side of the migration")
@pytest.mark.django_db
def test_sqlite_has_no_trigram_index_and_searches_as_before():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm%'")
        assert cursor.fetchall() == []
    made = Film.objects.create(key="house", title="House", published=True)
    assert list(Film.objects.search("OUS")) == [made]


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_applies_again_on_either_database():
    from importlib import import_module

    from django.db.migrations.state import ProjectState

    migration = import_module("films.migrations.0008_search_trigram_indexes").Migration
    state = ProjectState()

    def indexes():
        with connection.cursor() as cursor:
            return sorted(
                name
                for name in connection.introspection.get_constraints(cursor, "films_film")
                | connection.introspection.get_constraints(cursor, "films_person")
                if name.endswith("_search_trgm")
            )

    expected = ["films_film_search_trgm", "films_person_search_trgm"] if connection.vendor == "postgresql" else []
    assert indexes() == expected
    with connection.schema_editor() as editor:
        for operation in reversed(migration.operations):
            operation.database_backwards("films", editor, state, state)
    assert indexes() == []
    with connection.schema_editor() as editor:
        for operation in migration.operations:
            operation.database_forwards("films", editor, state, state)
    assert indexes() == expected
