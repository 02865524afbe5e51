"""Queries compiled once and run with each request's arguments (``films.queries.Prepared``)."""

import datetime
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from films.models import Film, Screening
from films.public import lean
from films.queries import Prepared
from films.views.pages import published_edition
from tests.conftest import local

MARKER = -1234567


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


def test_prepared_query_compiles_once_and_runs_with_each_argument(film):
    other = Film.objects.create(key="other", title="Other", year=2020, published=True)
    keys = Prepared(lambda pk: lean(Film.objects.filter(pk=pk)).values_list("key", "year"), MARKER)

    assert keys(film.pk) == [("we-will-not-fade-away", 2023)]
    with CaptureQueriesContext(connection) as queries:
        assert keys(other.pk) == [("other", 2020)]
    assert len(keys.compiled) == 1
    assert len(queries.captured_queries) == 1
    assert str(other.pk) in queries.captured_queries[0]["sql"]


def test_prepared_values_query_gives_dicts_converted_by_the_fields(make_screening, edition):
    make_screening(local(2023, 11, 9, 10), subtitles=["en", "uk"])
    make_screening(local(2023, 11, 9, 14), subtitles=["en", "uk"])
    rows = Prepared(
        lambda edition: (
            lean(Screening.objects.filter(edition=edition)).order_by("starts_at").values("starts_at", "subtitles")
        ),
        MARKER,
    )(edition.pk)

    assert rows == [
        {"starts_at": local(2023, 11, 9, 10), "subtitles": ["en", "uk"]},
        {"starts_at": local(2023, 11, 9, 14), "subtitles": ["en", "uk"]},
    ]
    assert rows[0]["starts_at"].tzinfo is not None


def test_prepared_query_substitutes_a_datetime_argument(make_screening, edition):
    make_screening(local(2023, 11, 9, 10), key="morning")
    make_screening(local(2023, 11, 9, 14), key="afternoon")
    marker = datetime.datetime(1901, 1, 1, 1, 1, 1, 1, tzinfo=datetime.UTC)
    after = Prepared(
        lambda moment: lean(Screening.objects.filter(starts_at__gt=moment)).order_by("starts_at").values_list("key"),
        marker,
    )

    assert after(local(2023, 11, 9, 9)) == [("morning",), ("afternoon",)]
    assert after(local(2023, 11, 9, 12)) == [("afternoon",)]


def test_prepared_query_refuses_a_marker_that_is_not_a_parameter(film):
    def build(pk):
        return lean(Film.objects.filter(published=True)).values_list("key")

    message = (
        "test_prepared_query_refuses_a_marker_that_is_not_a_parameter.<locals>.build: "
        "not every marker is a parameter of its SQL"
    )
    with pytest.raises(ValueError, match="not every marker") as error:
        Prepared(build, MARKER)()
    assert str(error.value) == message


def test_prepared_query_is_compiled_again_for_another_page_language(film):
    from films.public import title_columns

    titles = Prepared(lambda pk: lean(Film.objects.filter(pk=pk)).values_list(*title_columns()), MARKER)
    Film.objects.filter(pk=film.pk).update(title_uk="Ми не згаснемо (укр.)")

    with translation.override("en"):
        assert titles(film.pk)[0][0] == "We Will Not Fade Away"
    with translation.override("uk"):
        assert titles(film.pk)[0][0] == "Ми не згаснемо (укр.)"
    assert len(titles.compiled) == 2


def test_prepared_query_refuses_modeltranslations_rewriting_values(film):
    with pytest.raises(ValueError, match="not a plain values") as error:
        Prepared(lambda pk: Film.objects.filter(pk=pk).values("title"), MARKER)(film.pk)
    assert str(error.value) == (
        "test_prepared_query_refuses_modeltranslations_rewriting_values.<locals>.<lambda>: "
        "not a plain values() or values_list() queryset (modeltranslation's rewriting off, see lean())"
    )


def test_published_edition_is_the_model_instance_or_404(edition):
    from django.http import Http404

    found = published_edition(edition.key)
    assert (found.pk, found.key, found.start_date, found.tzinfo) == (
        edition.pk,
        edition.key,
        edition.start_date,
        edition.tzinfo,
    )
    edition.published = False
    edition.save()
    with pytest.raises(Http404):
        published_edition(edition.key)


def test_film_pages_of_two_films_each_show_their_own_facts(client, film):
    Film.objects.create(key="other", title="Other", year=2020, runtime_minutes=7, published=True)

    first = client.get("/en/films/we-will-not-fade-away/").content.decode()
    second = client.get("/en/films/other/").content.decode()

    assert "<h1>We Will Not Fade Away</h1>" in first
    assert "<dd>2023</dd>" in first
    assert "<h1>Other</h1>" in second
    assert "<dd>2020</dd>" in second
    assert "7 minutes" in second
    assert client.get("/en/films/missing/").status_code == 404


def test_prefetched_reads_independent_queries_ahead_and_hands_each_result_out_once(film, edition):
    from films.queries import prefetched

    keys = Prepared(lambda pk: lean(Film.objects.filter(pk=pk)).values_list("key", "year"), MARKER)
    titles = Prepared(lambda pk: lean(Film.objects.filter(pk=pk)).values("title_en"), MARKER)
    with CaptureQueriesContext(connection) as ahead, prefetched((keys, film.pk), (titles, film.pk)):
        assert len(ahead.captured_queries) == 2
        with CaptureQueriesContext(connection) as inside:
            assert keys(film.pk) == [("we-will-not-fade-away", 2023)]
            assert titles(film.pk) == [{"title_en": "We Will Not Fade Away"}]
        assert inside.captured_queries == []
        # Read ahead once: a second call, or a call with other arguments, runs its query.
        with CaptureQueriesContext(connection) as again:
            assert keys(film.pk) == [("we-will-not-fade-away", 2023)]
            assert keys(-1) == []
        assert len(again.captured_queries) == 2
    with CaptureQueriesContext(connection) as after:
        keys(film.pk)
    assert len(after.captured_queries) == 1


def test_film_page_and_programme_day_read_everything_after_their_first_lookup_ahead(
    client, catalogue_film, edition, django_assert_num_queries
):
    from films import queries

    calls = []
    real = queries.prefetched

    def spy(*arguments, **options):
        calls.append(len(arguments))
        return real(*arguments, **options)

    pages = importlib.import_module("films.views.pages.film"), importlib.import_module("films.views.pages.programme")
    with pytest.MonkeyPatch.context() as patch:
        for module in pages:
            patch.setattr(module, "prefetched", spy)
        assert client.get(f"/en/films/{catalogue_film.key}/").status_code == 200
        assert client.get(f"/en/{edition.key}/programme/?day=2023-11-12").status_code == 200
        # A filtered day reads its screenings with a query of its own.
        assert client.get(f"/en/{edition.key}/programme/?day=2023-11-12&venue=x").status_code == 200
    # Film page: ten queries and the screenings' guests; programme day: options, sections, screenings, films, guests.
    assert calls == [11, 6, 2]
