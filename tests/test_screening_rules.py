"""The rules a screening obeys, in clean() with a clear message and in the database itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from films.models import Screen, Screening, Section

from .conftest import local


def test_screening_that_overlaps_another_in_its_screen_is_refused_naming_the_other(
    make_screening, edition, screen, django_assert_num_queries
):
    make_screening(local(2023, 11, 12, 19, 15), key="idfa-2023-wwnfa-1")
    clash = Screening(
        edition=edition,
        key="late",
        screen=screen,
        starts_at=local(2023, 11, 12, 20, 30),
        ends_at=local(2023, 11, 12, 22, 0),
    )
    # The other screening with its edition and screen, then its films: two queries, whatever the message names.
    with django_assert_num_queries(2), pytest.raises(ValidationError) as error:
        clash.check_clash()
    assert error.value.message_dict == {
        "starts_at": [
            "This screening clashes with screening “idfa-2023-wwnfa-1” (We Will Not Fade Away) in Example Cinema 1, "
            "2023-11-12 19:15–20:55 (Europe/Amsterdam); the screen needs 15 minutes between screenings."
        ]
    }
    assert [item.code for item in error.value.error_dict["starts_at"]] == ["clash"]
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert error.value.message_dict["starts_at"][0].startswith("This screening clashes with screening")


def test_changeover_counts_towards_a_clash(make_screening, edition, screen):
    make_screening(local(2023, 11, 12, 19, 0))  # ends 20:40, screen free at 20:55
    too_soon = Screening(
        edition=edition, key="b", screen=screen, starts_at=local(2023, 11, 12, 20, 50), ends_at=local(2023, 11, 12, 22)
    )
    with pytest.raises(ValidationError):
        too_soon.full_clean()
    just_in_time = Screening(
        edition=edition, key="c", screen=screen, starts_at=local(2023, 11, 12, 20, 55), ends_at=local(2023, 11, 12, 22)
    )
    just_in_time.full_clean()


def test_database_refuses_overlapping_screenings_even_without_clean(make_screening, edition, screen):
    make_screening(local(2023, 11, 12, 19, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(
            edition=edition,
            key="sneaky",
            screen=screen,
            starts_at=local(2023, 11, 12, 20, 0),
            ends_at=local(2023, 11, 12, 21, 0),
        )


def test_cancelled_screening_frees_its_slot(make_screening, edition, screen):
    make_screening(local(2023, 11, 12, 19, 0), status=Screening.Status.CANCELLED)
    replacement = Screening(
        edition=edition, key="new", screen=screen, starts_at=local(2023, 11, 12, 19, 0), ends_at=local(2023, 11, 12, 21)
    )
    replacement.full_clean()
    replacement.save()
    assert Screening.objects.count() == 2


def test_screenings_in_different_screens_may_overlap(make_screening, edition, venue):
    other = Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2")
    make_screening(local(2023, 11, 12, 19, 0))
    parallel = make_screening(local(2023, 11, 12, 19, 0), key="parallel", screen=other)
    assert parallel.pk


def test_screening_must_end_after_it_starts(edition, screen):
    screening = Screening(
        edition=edition, key="x", screen=screen, starts_at=local(2023, 11, 12, 19), ends_at=local(2023, 11, 12, 18)
    )
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert error.value.message_dict["ends_at"] == ["A screening must end after it starts."]
    with pytest.raises(IntegrityError), transaction.atomic():
        screening.save()


def test_screening_outside_the_edition_dates_in_its_time_zone_is_refused(edition, screen):
    # 23:30 UTC on 19 November is 00:30 on 20 November in Amsterdam: after the last day.
    screening = Screening(
        edition=edition,
        key="x",
        screen=screen,
        starts_at=datetime.datetime(2023, 11, 19, 23, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 11, 20, 1, 0, tzinfo=datetime.UTC),
    )
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert error.value.message_dict["starts_at"] == [
        "The screening starts on 2023-11-20 (Europe/Amsterdam), outside IDFA 2023, "
        "which runs from 2023-11-08 to 2023-11-19."
    ]


def test_screening_section_must_belong_to_its_edition(edition, screen, festival):
    other_edition = edition.__class__.objects.create(
        festival=festival,
        key="idfa-2024",
        year=2024,
        name="IDFA 2024",
        start_date=datetime.date(2024, 11, 13),
        end_date=datetime.date(2024, 11, 24),
        timezone="Europe/Amsterdam",
    )
    other_section = Section.objects.create(edition=other_edition, key="frontlight", name="Frontlight")
    screening = Screening(
        edition=edition,
        key="x",
        screen=screen,
        section=other_section,
        starts_at=local(2023, 11, 12, 19),
        ends_at=local(2023, 11, 12, 21),
    )
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert error.value.message_dict["section"] == ["The section “Frontlight” belongs to IDFA 2024, not to IDFA 2023."]


def test_only_online_screenings_may_have_no_screen(edition):
    screening = Screening(edition=edition, key="x", starts_at=local(2023, 11, 12, 19), ends_at=local(2023, 11, 12, 21))
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert error.value.message_dict["screen"] == ["Choose a screen; only online screenings have none."]
    with pytest.raises(IntegrityError), transaction.atomic():
        screening.save()
    screening.audience = Screening.Audience.ONLINE
    screening.online_countries = ["NL", "BE"]
    screening.full_clean()
    screening.save()
    assert Screening.objects.get().online_countries == ["NL", "BE"]


def test_changing_a_screens_changeover_moves_when_its_screenings_free_it(make_screening, screen):
    screening = make_screening(local(2023, 11, 12, 19, 0))
    screen.changeover_minutes = 30
    screen.save()
    screening.refresh_from_db()
    assert screening.blocked_until == screening.ends_at + datetime.timedelta(minutes=30)


def test_a_clash_names_a_shorts_programmes_films_in_order_and_a_screening_without_films_by_a_dash(
    make_screening, edition, screen, film
):
    from films.models import Film

    short = Film.objects.create(key="a-short", title="A Short", published=True)
    make_screening(local(2023, 11, 12, 10), key="shorts", films=[short, film])
    make_screening(local(2023, 11, 12, 16), key="to-come", films=[])
    for start, named in (
        (local(2023, 11, 12, 11), "(A Short, We Will Not Fade Away)"),
        (local(2023, 11, 12, 17), "(–)"),
    ):
        clash = Screening(
            edition=edition, key="late", screen=screen, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
        with pytest.raises(ValidationError) as error:
            clash.check_clash()
        assert named in error.value.message_dict["starts_at"][0]


def test_a_programme_day_holds_only_its_own_editions_screenings(make_screening, edition, venue, festival):
    """Two festivals' editions on the same days (one database, several festivals): each day is its edition's."""
    from films.models import Edition

    other = Edition.objects.create(
        festival=festival,
        key="other-2023",
        year=2023,
        name="Other 2023",
        start_date=datetime.date(2023, 11, 10),
        end_date=datetime.date(2023, 11, 14),
        timezone="Europe/Amsterdam",
        published=True,
    )
    second_screen = Screen.objects.create(venue=venue, key="second", name="Second")
    own = make_screening(local(2023, 11, 12, 10), key="own")
    make_screening(local(2023, 11, 12, 12), key="other", edition=other, section=None, screen=second_screen)
    assert list(Screening.objects.on_day(edition, datetime.date(2023, 11, 12))) == [own]


def codes(error):
    return {field: [item.code for item in errors] for field, errors in error.value.error_dict.items()}


def test_a_screening_that_ends_as_it_starts_is_refused(edition, screen):
    start = local(2023, 11, 12, 19)
    screening = Screening(edition=edition, key="x", screen=screen, starts_at=start, ends_at=start)
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert error.value.message_dict == {"ends_at": ["A screening must end after it starts."]}
    assert codes(error) == {"ends_at": ["ends_before_start"]}


def test_an_online_window_closes_after_it_opens(edition):
    start = local(2023, 11, 12, 19)
    screening = Screening(
        edition=edition,
        key="online",
        audience=Screening.Audience.ONLINE,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        available_from=start,
        available_until=start,
    )
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert error.value.message_dict == {"available_until": ["The online window must close after it opens."]}
    assert codes(error) == {"available_until": ["online_window"]}
    screening.available_until = start + datetime.timedelta(days=2)
    screening.full_clean()


def test_a_screening_in_a_hall_needs_its_screen(edition):
    start = local(2023, 11, 12, 19)
    screening = Screening(edition=edition, key="x", starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    with pytest.raises(ValidationError) as error:
        screening.full_clean()
    assert codes(error) == {"screen": ["screen_required"]}
