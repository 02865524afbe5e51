"""The database itself keeps the changeover between screenings in one screen, without ``clean()``.

Rows written by ``create()``, ``bulk_create()`` or ``QuerySet.update()`` never pass through the model's
``clean()``: the SQLite triggers (``films/db.py``) and PostgreSQL's exclusion constraint must refuse a screening
that starts before the previous one's changeover is over (or whose own changeover runs into the next one) and
accept one that starts exactly when the screen is free again. Run on both databases.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction

from films.models import Screen, Screening

from .conftest import local

MINUTES = datetime.timedelta(minutes=1)


def refused(**fields):
    """``Screening.objects.create(**fields)`` must fail in the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(**fields)


@pytest.fixture
def first(make_screening):
    """19:00–20:40 in a screen with 15 minutes of changeover: the screen is free again at 20:55."""
    screening = make_screening(local(2023, 11, 12, 19, 0), key="first")
    assert screening.blocked_until == local(2023, 11, 12, 20, 55)
    return screening


def fields(edition, screen, key, start, end):
    return {"edition": edition, "key": key, "screen": screen, "starts_at": start, "ends_at": end}


def test_create_starting_within_the_changeover_is_refused(first, edition, screen):
    for minute in (41, 50, 54):
        refused(**fields(edition, screen, f"at-{minute}", local(2023, 11, 12, 20, minute), local(2023, 11, 12, 22)))
    assert list(Screening.objects.values_list("key", flat=True)) == ["first"]


def test_create_starting_exactly_when_the_changeover_ends_is_accepted(first, edition, screen):
    Screening.objects.create(**fields(edition, screen, "next", local(2023, 11, 12, 20, 55), local(2023, 11, 12, 22)))
    assert list(Screening.objects.order_by("starts_at").values_list("key", flat=True)) == ["first", "next"]


def test_an_earlier_screening_whose_changeover_runs_into_the_next_is_refused(first, edition, screen):
    # 17:30–18:50: free again at 19:05, after ``first`` has started.
    refused(**fields(edition, screen, "before", local(2023, 11, 12, 17, 30), local(2023, 11, 12, 18, 50)))
    # 17:30–18:45: free again at 19:00 exactly.
    Screening.objects.create(
        **fields(edition, screen, "before", local(2023, 11, 12, 17, 30), local(2023, 11, 12, 18, 45))
    )
    assert Screening.objects.count() == 2


def test_the_changeover_is_the_screens_own(make_screening, edition, venue):
    slow = Screen.objects.create(venue=venue, key="slow-screen", name="Slow Screen", changeover_minutes=40)
    make_screening(local(2023, 11, 12, 19, 0), key="first", screen=slow)  # ends 20:40, free at 21:20
    refused(**fields(edition, slow, "too-soon", local(2023, 11, 12, 21, 19), local(2023, 11, 12, 22, 30)))
    Screening.objects.create(
        **fields(edition, slow, "in-time", local(2023, 11, 12, 21, 20), local(2023, 11, 12, 22, 30))
    )
    assert Screening.objects.count() == 2


def test_bulk_create_within_the_changeover_is_refused_and_writes_nothing(first, edition, screen):
    def build(key, start):
        end = start + datetime.timedelta(minutes=60)
        return Screening(**fields(edition, screen, key, start, end), blocked_until=end + datetime.timedelta(minutes=15))

    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.bulk_create(
            [build("fine", local(2023, 11, 12, 10, 0)), build("too-soon", local(2023, 11, 12, 20, 54))]
        )
    assert list(Screening.objects.values_list("key", flat=True)) == ["first"]
    Screening.objects.bulk_create(
        [build("fine", local(2023, 11, 12, 10, 0)), build("next", local(2023, 11, 12, 20, 55))]
    )
    assert Screening.objects.count() == 3


def test_update_moving_a_screening_into_the_changeover_is_refused(first, make_screening):
    later = make_screening(local(2023, 11, 12, 21, 30), key="later", minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=later.pk).update(
            starts_at=local(2023, 11, 12, 20, 54), ends_at=local(2023, 11, 12, 21, 54)
        )
    Screening.objects.filter(pk=later.pk).update(
        starts_at=local(2023, 11, 12, 20, 55), ends_at=local(2023, 11, 12, 21, 55)
    )
    later.refresh_from_db()
    assert later.starts_at == local(2023, 11, 12, 20, 55)


def test_update_stretching_a_changeover_over_the_next_start_is_refused(first, make_screening):
    later = make_screening(local(2023, 11, 12, 21, 30), key="later", minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=first.pk).update(blocked_until=later.starts_at + MINUTES)
    Screening.objects.filter(pk=first.pk).update(blocked_until=later.starts_at)
    first.refresh_from_db()
    assert first.blocked_until == local(2023, 11, 12, 21, 30)


def test_update_of_a_screening_does_not_clash_with_itself(first):
    Screening.objects.filter(pk=first.pk).update(starts_at=local(2023, 11, 12, 19, 5))
    first.refresh_from_db()
    assert first.starts_at == local(2023, 11, 12, 19, 5)


def test_a_cancelled_screening_keeps_no_changeover(first, edition, screen):
    Screening.objects.filter(pk=first.pk).update(status=Screening.Status.CANCELLED)
    Screening.objects.create(**fields(edition, screen, "instead", local(2023, 11, 12, 20, 41), local(2023, 11, 12, 22)))
    # Reinstating the cancelled screening would make the two overlap.
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=first.pk).update(status=Screening.Status.SCHEDULED)


def test_another_screen_is_not_blocked(first, edition, venue):
    other = Screen.objects.create(venue=venue, key="other-screen", name="Other Screen")
    Screening.objects.create(**fields(edition, other, "parallel", local(2023, 11, 12, 20, 50), local(2023, 11, 12, 22)))
    assert Screening.objects.count() == 2
