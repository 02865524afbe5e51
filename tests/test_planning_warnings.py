"""Planning warnings beyond the screen (films/warnings.py): a guest in two places, one print in two screens, a
young audience out late, a film twice in a section on one day, a competition film shown only after the
results. Each names its reason and the other screening; none refuses a save."""

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse

from films.models import (
    Film,
    FilmCopy,
    Person,
    Screen,
    Screening,
    ScreeningGuest,
    Section,
    Selection,
    TravelTime,
    Venue,
)
from films.plan import EditionPlan
from films.warnings import edition_warnings, screening_warnings

from .conftest import local
from .test_admin_screening import screening_form


@pytest.fixture
def second_screen(venue):
    return Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2", order=1)


@pytest.fixture
def far_venue(db):
    venue = Venue.objects.create(key="far-cinema", name="Far Cinema")
    return Screen.objects.create(venue=venue, key="far-1", name="Far 1")


@pytest.fixture
def guest(db):
    return Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")


def found(edition):
    """``{(screening key, kind, other screening key)}``."""
    keys = dict(Screening.objects.values_list("pk", "key"))
    return {(warning.key, warning.kind, keys.get(warning.other_id, "")) for warning in edition_warnings(edition)}


def messages_of(edition, key):
    return [warning.message for warning in edition_warnings(edition) if warning.key == key]


def attend(screening, person, **roles):
    return ScreeningGuest.objects.create(screening=screening, person=person, **({"qa": True} | roles))


# Guests


def test_a_guest_at_two_overlapping_screenings_is_warned_on_both(
    edition, make_screening, film, second_screen, guest, short_film
):
    first = make_screening(local(2023, 11, 12, 14), key="first")
    second = make_screening(local(2023, 11, 12, 15), key="second", screen=second_screen, films=[short_film])
    attend(first, guest)
    attend(second, guest, intro=True, qa=False)
    assert found(edition) == {("first", "guest", "second"), ("second", "guest", "first")}
    assert messages_of(edition, "first") == [
        "Guest Alisa Kovalenko also attends “second” (A Short) in Example Cinema 2, Example Cinema, 2023-11-12 "
        "15:00–16:40 (Europe/Amsterdam): the two overlap."
    ]


def test_a_guest_needs_the_travel_time_between_venues(edition, make_screening, far_venue, guest, short_film):
    first = make_screening(local(2023, 11, 12, 14), key="first")  # Ends 15:40.
    second = make_screening(local(2023, 11, 12, 16, 0), key="second", screen=far_venue, films=[short_film])
    attend(first, guest)
    attend(second, guest)
    # No travel time entered: the default (30 minutes) is more than the 20 between them.
    assert found(edition) == {("first", "guest", "second"), ("second", "guest", "first")}
    assert messages_of(edition, "second")[0].endswith(
        "that leaves 20 minutes to travel between them, and the trip takes 30."
    )
    # Entered the other way round (from the far venue): the same pair, and 15 minutes is enough.
    TravelTime.objects.create(from_venue=far_venue.venue, to_venue=first.screen.venue, minutes=15)
    assert found(edition) == set()
    TravelTime.objects.update(minutes=45)  # A longer trip than the default: warned again.
    assert messages_of(edition, "first")[0].endswith("and the trip takes 45.")


def test_a_guest_at_back_to_back_screenings_in_one_venue_is_fine(edition, make_screening, second_screen, guest):
    first = make_screening(local(2023, 11, 12, 14), key="first")  # Ends 15:40.
    second = make_screening(local(2023, 11, 12, 15, 40), key="second", screen=second_screen)
    third = make_screening(
        local(2023, 11, 12, 15, 30),
        key="third",
        screen=Screen.objects.create(venue=first.screen.venue, key="example-cinema-3", name="Example Cinema 3"),
    )
    for screening in (first, second):
        attend(screening, guest)
    assert {item for item in found(edition) if item[1] == "guest"} == set()
    attend(third, guest)  # The third screening overlaps both.
    assert {item for item in found(edition) if item[1] == "guest"} == {
        ("first", "guest", "third"),
        ("third", "guest", "first"),
        ("second", "guest", "third"),
        ("third", "guest", "second"),
    }


def test_a_cancelled_screening_warns_nothing(edition, make_screening, second_screen, guest):
    first = make_screening(local(2023, 11, 12, 14), key="first")
    second = make_screening(local(2023, 11, 12, 15), key="second", screen=second_screen, status="cancelled")
    attend(first, guest)
    attend(second, guest)
    assert found(edition) == set()


# Prints


@pytest.fixture
def short_film(db):
    return Film.objects.create(key="short", title="A Short", runtime_minutes=12)


@pytest.fixture
def other_section(edition):
    return Section.objects.create(edition=edition, key="panorama", name="Panorama")


def test_one_copy_cannot_play_in_two_screens_at_once(edition, make_screening, film, second_screen, other_section):
    make_screening(local(2023, 11, 12, 14), key="first")
    make_screening(local(2023, 11, 12, 15), key="second", screen=second_screen, section=other_section)
    assert found(edition) == {("first", "print", "second"), ("second", "print", "first")}
    assert messages_of(edition, "first") == [
        "“We Will Not Fade Away” plays at the same time in “second” in Example Cinema 2, Example Cinema, 2023-11-12 "
        "15:00–16:40 (Europe/Amsterdam), and no copy of it is recorded, so one is assumed."
    ]
    FilmCopy.objects.create(film=film, format="dcp", count=2)
    assert found(edition) == set()
    third = Screen.objects.create(venue=second_screen.venue, key="example-cinema-3", name="Example Cinema 3")
    make_screening(local(2023, 11, 12, 14, 30), key="third", screen=third, section=other_section, minutes=60)
    assert {warning[0] for warning in found(edition) if warning[1] == "print"} == {"first", "second", "third"}
    assert messages_of(edition, "third")[0].endswith("and the festival has 2 copies of it.")


def test_an_online_screening_needs_no_copy(edition, make_screening, film, other_section):
    make_screening(local(2023, 11, 12, 14), key="first")
    make_screening(local(2023, 11, 12, 15), key="online", screen=None, audience="online", section=other_section)
    assert found(edition) == set()


# Young audiences


@override_settings(FESTIVAL_YOUNG_AUDIENCE_AGE=12, FESTIVAL_YOUNG_AUDIENCE_ENDS_BY="20:00")
def test_a_young_audience_must_be_out_by_the_set_hour(edition, make_screening, film):
    make_screening(local(2023, 11, 12, 18, 30), key="late", minimum_age=10)  # Ends 20:10.
    make_screening(local(2023, 11, 13, 18, 0), key="in-time", minimum_age=10)  # Ends 19:40.
    make_screening(local(2023, 11, 14, 19, 0), key="older", minimum_age=16)
    assert found(edition) == {("late", "young", "")}
    assert messages_of(edition, "late") == [
        "This screening for ages 10 and up ends at 20:10 (Europe/Amsterdam), after 20:00, the latest end for young "
        "audiences."
    ]
    film.minimum_age = 8  # A screening without its own age takes its films'.
    film.save()
    make_screening(local(2023, 11, 15, 19, 0), key="film-rated")
    assert ("film-rated", "young", "") in found(edition)


# The same film twice


def test_a_film_twice_in_one_section_on_one_day(edition, make_screening, film, second_screen, other_section):
    make_screening(local(2023, 11, 12, 10), key="morning")
    make_screening(local(2023, 11, 12, 20), key="evening")
    make_screening(local(2023, 11, 13, 10), key="next-day")
    make_screening(local(2023, 11, 13, 20), key="elsewhere", section=other_section)
    assert found(edition) == {("morning", "same-film", "evening"), ("evening", "same-film", "morning")}
    assert messages_of(edition, "morning") == [
        "“We Will Not Fade Away” plays twice in Best of Fests on 2023-11-12: also in “evening”, 2023-11-12 20:00–21:40."
    ]


# Competitions


def test_a_competition_film_must_play_before_the_results(edition, make_screening, film):
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)
    Selection.objects.create(section=competition, film=film)
    competition.results_announced_at = local(2023, 11, 12, 18)
    competition.save()
    make_screening(local(2023, 11, 12, 20), key="after", section=competition)
    assert found(edition) == {("after", "competition", "")}
    assert messages_of(edition, "after") == [
        "“We Will Not Fade Away” competes in Competition, whose results are announced 2023-11-12 18:00 "
        "(Europe/Amsterdam), but none of its screenings is before then."
    ]
    competition.results_announced_at = None  # The edition's time, then the end of its last day.
    competition.save()
    assert found(edition) == set()
    edition.results_announced_at = local(2023, 11, 9, 12)
    edition.save()
    assert found(edition) == {("after", "competition", "")}


def test_a_competition_film_with_no_screening_is_warned_once(edition, film):
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)
    Selection.objects.create(section=competition, film=film)
    (warning,) = edition_warnings(edition)
    assert (warning.screening_id, warning.kind) == (None, "competition")


# Where they show


def test_the_screening_form_says_its_warnings_after_saving(
    admin_client, edition, section, screen, film, make_screening, guest
):
    other = make_screening(local(2023, 11, 12, 17, 0), key="earlier")
    attend(other, guest)
    data = screening_form(edition, screen, section, [film], key="evening")
    response = admin_client.post(reverse("admin:films_screening_add"), data)
    assert response.status_code == 302
    said = [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]
    assert (
        "warning",
        "“We Will Not Fade Away” plays twice in Best of Fests on 2023-11-12: also in “earlier”, 2023-11-12 "
        "17:00–18:40.",
    ) in said


def test_the_readiness_page_lists_the_warnings(admin_client, edition, make_screening, second_screen, guest):
    first = make_screening(local(2023, 11, 12, 14), key="first")
    attend(first, guest)
    attend(make_screening(local(2023, 11, 12, 15), key="second", screen=second_screen), guest)
    html = admin_client.get(reverse("admin:films_edition_readiness", args=[edition.pk])).content.decode()
    assert f'<a href="/admin/films/screening/{first.pk}/change/">first</a>: Guest Alisa Kovalenko also attends' in html
    assert html.count("Guest Alisa Kovalenko also attends") == 2


def test_a_move_onto_a_warning_is_made_and_says_so(admin_client, edition, make_screening, second_screen, guest):
    first = make_screening(local(2023, 11, 12, 10), key="first")
    second = make_screening(local(2023, 11, 12, 14), key="second", screen=second_screen)
    attend(first, guest)
    attend(second, guest)
    response = admin_client.post(
        reverse("admin:films_screening_move", args=[first.pk]),
        {"screen": first.screen_id, "starts_at": "2023-11-12T13:30", "version": first.version},
    )
    (message,) = [str(message) for message in get_messages(response.wsgi_request)]
    assert message.startswith("Moved “first” to Example Cinema 1, 2023-11-12 13:30 (Europe/Amsterdam). Warning: ")
    assert "Guest Alisa Kovalenko also attends “second”" in message
    first.refresh_from_db()
    assert first.starts_at == local(2023, 11, 12, 13, 30)


@pytest.mark.parametrize("days", [1, 4])
def test_warnings_read_the_edition_in_a_fixed_number_of_queries(
    edition, make_screening, far_venue, guest, short_film, days, django_assert_num_queries
):
    for day in range(days):
        attend(make_screening(local(2023, 11, 10 + day, 14), key=f"here-{day}"), guest)
        attend(
            make_screening(local(2023, 11, 10 + day, 18), key=f"there-{day}", screen=far_venue, films=[short_film]),
            guest,
        )
    with django_assert_num_queries(6):  # The plan's five (films/plan.py), and the travel times, once.
        assert edition_warnings(edition) == []


# One screening's warnings read only the part of the plan that can involve it


@override_settings(FESTIVAL_YOUNG_AUDIENCE_AGE=12, FESTIVAL_YOUNG_AUDIENCE_ENDS_BY="20:00")
def test_one_screenings_warnings_are_those_of_the_whole_edition(
    edition, make_screening, film, short_film, second_screen, other_section, guest
):
    """Every kind of warning, each on screenings that share a film or a guest with others: for each screening,
    the narrowed plan (``EditionPlan.load(..., around=)``) finds exactly what the whole edition's finds for it."""
    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True,
        results_announced_at=local(2023, 11, 12, 18),
    )  # fmt: skip
    Selection.objects.create(section=competition, film=short_film)
    make_screening(local(2023, 11, 12, 14), key="first")  # print with "second"; same-film with "evening"
    make_screening(local(2023, 11, 12, 15), key="second", screen=second_screen, section=other_section)
    make_screening(local(2023, 11, 12, 20), key="evening")
    attend(make_screening(local(2023, 11, 13, 18, 30), key="late", minimum_age=10, films=[short_film]), guest)
    attend(make_screening(local(2023, 11, 13, 19), key="clash", screen=second_screen), guest)  # Only the guest.
    make_screening(local(2023, 11, 14, 20), key="after", section=competition, films=[short_film])
    make_screening(local(2023, 11, 15, 10), key="alone", films=[Film.objects.create(key="other", title="Other")])
    whole = edition_warnings(edition)
    assert {warning.kind for warning in whole} == {"guest", "print", "young", "same-film", "competition"}
    for screening in Screening.objects.select_related("edition"):
        expected = [warning for warning in whole if warning.screening_id == screening.pk]
        assert screening_warnings(screening) == expected, screening.key


def test_the_narrowed_plan_reads_the_screenings_sharing_a_film_or_a_guest(
    edition, make_screening, film, short_film, second_screen, guest, django_assert_num_queries
):
    first = make_screening(local(2023, 11, 12, 14), key="first")
    make_screening(local(2023, 11, 13, 14), key="same-film")
    attend(first, guest)
    attend(make_screening(local(2023, 11, 14, 14), key="same-guest", films=[short_film]), guest)
    make_screening(local(2023, 11, 15, 14), key="short-again", films=[short_film])  # Shares nothing with "first".
    make_screening(local(2023, 11, 16, 14), key="nothing", films=[Film.objects.create(key="other", title="Other")])
    with django_assert_num_queries(5):
        plan = EditionPlan.load(edition, around=first)
    assert sorted(item.key for item in plan.items.values()) == ["first", "same-film", "same-guest"]
    lonely = Screening.objects.get(key="nothing")
    assert [item.key for item in EditionPlan.load(edition, around=lonely).items.values()] == ["nothing"]
