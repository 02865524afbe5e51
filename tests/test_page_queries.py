"""The public pages' query helpers (films/queries.py) on their own: a page query runs its queryset for one
request's arguments, on the database asked for."""

from films.models import Edition
from films.queries import PageQuery


def test_a_page_query_runs_its_queryset_for_the_arguments_given(edition, django_assert_num_queries):
    keys = PageQuery(lambda year: Edition.objects.filter(year=year).order_by("key").values_list("key", flat=True))
    with django_assert_num_queries(1):
        assert keys(2023) == ["idfa-2023"]
    assert keys(2022) == []
    assert keys.build(2023).query.order_by == ("key",)
