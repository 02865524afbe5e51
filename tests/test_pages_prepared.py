"""Queries compiled once and run with each request's arguments (``films.queries.Prepared``)."""

import datetime

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
