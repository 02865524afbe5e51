"""Moves on the schedule board: a screening moved to another time or screen under every rule of its form,
refused with the form's reason (a clash, a day outside the edition, someone else's newer save), kept in its
history, and the last one undone."""

import datetime
import re

import pytest
import reversion
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from films.models import Screen, Screening
from films.roles import PROGRAMMERS, TRANSLATORS

from .conftest import local
from .staff import member, said

BOARD = "/admin/films/screening/board/"


@pytest.fixture
def anna(db):
    return member("anna", PROGRAMMERS)


@pytest.fixture
def second_screen(venue):
    return Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2", order=1)


def move(client, screening, screen, wall_time, version=None, json=False):
    data = {
        "screen": screen.pk,
        "starts_at": wall_time,
        "version": screening.version if version is None else version,
    }
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse("admin:films_screening_move", args=[screening.pk]), data, **headers)


def where(screening):
    screening.refresh_from_db()
    return screening.screen.key, screening.starts_at, screening.ends_at


def test_a_screening_moved_to_a_free_slot_keeps_its_length_and_is_kept_in_its_history(
    anna, make_screening, second_screen
):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    response = move(anna, screening, second_screen, "2023-11-12T16:30")
    assert response.status_code == 302
    assert response.url == f"{BOARD}?edition=idfa-2023&day=2023-11-12"
    assert said(response) == ["Moved “afternoon” to Example Cinema 2, 2023-11-12 16:30 (Europe/Amsterdam)."]
    assert where(screening) == ("example-cinema-2", local(2023, 11, 12, 16, 30), local(2023, 11, 12, 18, 10))
    (version,) = Version.objects.get_for_object(screening)
    assert version.revision.user.username == "anna"
    assert version.revision.get_comment() == (
        "Moved on the board from Example Cinema 1, 2023-11-12 14:00 to Example Cinema 2, 2023-11-12 16:30."
    )
    assert version.field_dict["starts_at"] == local(2023, 11, 12, 16, 30)


def test_a_move_onto_a_clash_is_refused_with_the_other_screening_named(anna, make_screening, second_screen):
    make_screening(local(2023, 11, 12, 14, 0), key="first", screen=second_screen)
    make_screening(local(2023, 11, 12, 20, 0), key="third", screen=second_screen)
    screening = make_screening(local(2023, 11, 12, 10, 0), key="moved")
    before = where(screening)
    # The third clash path: not the screening before the slot, but the one after it (changeover included).
    response = move(anna, screening, second_screen, "2023-11-12T18:10", json=True)
    assert response.status_code == 409
    assert response.json() == {
        "ok": False,
        "message": "Not moved: This screening clashes with screening “third” (We Will Not Fade Away) in Example "
        "Cinema 2, 2023-11-12 20:00–21:40 (Europe/Amsterdam); the screen needs 15 minutes between screenings.",
    }
    assert where(screening) == before
    assert not Version.objects.get_for_object(screening).exists()


def test_a_move_outside_the_edition_is_refused_with_the_forms_reason(anna, make_screening, screen):
    screening = make_screening(local(2023, 11, 19, 22, 0), key="last")
    before = where(screening)
    response = move(anna, screening, screen, "2023-11-20T10:00")
    assert said(response) == [
        "Not moved: The screening starts on 2023-11-20 (Europe/Amsterdam), outside IDFA 2023, which runs from "
        "2023-11-08 to 2023-11-19."
    ]
    assert where(screening) == before


def test_a_move_from_a_board_shown_before_someone_elses_save_is_refused(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    with reversion.create_revision():
        screening.save()  # As the admin or an import keeps it.
    shown = screening.version
    bruno = member("bruno", PROGRAMMERS)
    assert move(bruno, screening, second_screen, "2023-11-12T10:00").status_code == 302
    moved_by_bruno = where(screening)

    response = move(anna, screening, second_screen, "2023-11-12T18:00", version=shown, json=True)
    assert response.status_code == 409
    message = response.json()["message"]
    assert message.startswith("Not moved: bruno saved this screening at ")
    assert "after the board was shown. What they changed: " in message
    assert "starts at: “2023-11-12 14:00 (Europe/Amsterdam)” → “2023-11-12 10:00 (Europe/Amsterdam)”" in message
    assert message.endswith("Reload the board to see it, then move it again.")
    assert where(screening) == moved_by_bruno


def test_the_last_move_is_undone_from_the_board(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    move(anna, screening, second_screen, "2023-11-12T16:30")
    html = anna.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert "Undo your last move (“afternoon” back to Example Cinema 1, 2023-11-12 14:00)" in html

    response = anna.post(reverse("admin:films_screening_board_undo"))
    assert said(response) == ["Undone: “afternoon” is back at Example Cinema 1, 2023-11-12 14:00 (Europe/Amsterdam)."]
    assert where(screening) == ("example-cinema-1", local(2023, 11, 12, 14, 0), local(2023, 11, 12, 15, 40))
    comments = [v.revision.get_comment() for v in Version.objects.get_for_object(screening)]
    assert comments[0] == "Move undone on the board: back to Example Cinema 1, 2023-11-12 14:00."
    assert len(comments) == 2
    html = anna.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert "Undo your last move" not in html
    assert comments[1] == (
        "Moved on the board from Example Cinema 1, 2023-11-12 14:00 to Example Cinema 2, 2023-11-12 16:30."
    )
    assert [v.revision.user.username for v in Version.objects.get_for_object(screening)] == ["anna", "anna"]
    again = anna.post(reverse("admin:films_screening_board_undo"))
    assert said(again) == ["There is no move of yours to undo."]
    assert again.url == BOARD
    refused = anna.get(reverse("admin:films_screening_board_undo"))
    assert (refused.status_code, refused["Allow"]) == (405, "POST")


def test_an_undo_from_the_boards_script_answers_in_json(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    move(anna, screening, second_screen, "2023-11-12T16:30", json=True)
    refused = anna.get(reverse("admin:films_screening_board_undo"))  # A move to undo, but a GET.
    assert (refused.status_code, refused["Allow"]) == (405, "POST")
    response = anna.post(reverse("admin:films_screening_board_undo"), HTTP_ACCEPT="application/json")
    text = "Undone: “afternoon” is back at Example Cinema 1, 2023-11-12 14:00 (Europe/Amsterdam)."
    assert (response.status_code, response.json()) == (200, {"ok": True, "message": text})
    assert where(screening)[:2] == ("example-cinema-1", local(2023, 11, 12, 14, 0))


def test_an_undo_after_someone_elses_save_is_refused(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    move(anna, screening, second_screen, "2023-11-12T16:30")
    bruno = member("bruno", PROGRAMMERS)
    screening.refresh_from_db()
    assert move(bruno, screening, second_screen, "2023-11-12T18:30").status_code == 302
    response = anna.post(reverse("admin:films_screening_board_undo"), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    # Bruno's save too in the edition's zone, as every moment of the message; only what he changed is listed.
    assert re.fullmatch(
        r"Not moved: bruno saved this screening at \d+ \w+ \d{4}, \d\d:\d\d \(Europe/Amsterdam\), after the board "
        r"was shown\. What they changed: ends at: “2023-11-12 18:10 \(Europe/Amsterdam\)” → “2023-11-12 20:10 "
        r"\(Europe/Amsterdam\)”; screen free again at: “2023-11-12 18:25 \(Europe/Amsterdam\)” → “2023-11-12 20:25 "
        r"\(Europe/Amsterdam\)”; starts at: “2023-11-12 16:30 \(Europe/Amsterdam\)” → “2023-11-12 18:30 "
        r"\(Europe/Amsterdam\)”\. Reload the board to see it, then move it again\.",
        response.json()["message"],
    ), response.json()["message"]
    assert where(screening)[1] == local(2023, 11, 12, 18, 30)
    # Without the board's script: back to the board of the day the screening is on now, the refusal said there.
    again = anna.post(reverse("admin:films_screening_board_undo"))
    assert again.url == f"{BOARD}?edition=idfa-2023&day=2023-11-12"
    assert said(again)[-1].startswith("Not moved: bruno saved this screening at ")


def test_translators_and_curators_of_other_sections_cannot_move(db, make_screening, second_screen, edition):
    from films.models import Section

    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    translator = member("tess", TRANSLATORS)
    carla = member("carla", PROGRAMMERS)
    Section.objects.create(edition=edition, key="competition", name="Competition").curators.add(
        User.objects.get(username="carla")
    )
    for client in (translator, carla):
        assert move(client, screening, second_screen, "2023-11-12T16:30").status_code == 403
    html = translator.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert "draggable" not in html
    assert "board.js" not in html
    assert where(screening)[1] == local(2023, 11, 12, 14, 0)
    assert Client().post(reverse("admin:films_screening_board_undo")).status_code == 302  # To the login.


def test_a_move_is_a_post(anna, make_screening):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    refused = anna.get(reverse("admin:films_screening_move", args=[screening.pk]))
    assert (refused.status_code, refused["Allow"]) == (405, "POST")


def test_the_board_offers_moves_with_each_screenings_version(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    html = anna.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    move_url = reverse("admin:films_screening_move", args=[screening.pk])
    assert f'draggable="true" data-move-url="{move_url}" data-version="{screening.version}"' in html
    assert f'data-screen="{second_screen.pk}"' not in html  # Only screens with screenings are columns.
    assert 'data-day="2023-11-12" data-first-minute="840" data-row-minutes="5"' in html
    assert 'src="/static/films/admin/board.js"' in html


def move_queries(client, screening, screen, wall_time):
    with CaptureQueriesContext(connection) as queries:
        response = move(client, screening, screen, wall_time)
    assert said(response)[0].startswith("Moved"), said(response)
    return len(queries)


def test_a_move_takes_as_many_queries_on_a_full_day_as_on_an_empty_one(anna, make_screening, second_screen):
    lonely = make_screening(local(2023, 11, 12, 9, 0), key="lonely", screen=second_screen)
    few = move_queries(anna, lonely, second_screen, "2023-11-12T09:30")
    for hour in range(12, 23, 2):
        make_screening(local(2023, 11, 12, hour, 0), key=f"full-{hour}")
    busy = make_screening(local(2023, 11, 12, 10, 0), key="busy")
    many = move_queries(anna, busy, busy.screen, "2023-11-12T10:05")
    assert few == many
    assert Screening.objects.get(key="busy").starts_at == local(2023, 11, 12, 10, 5)
    assert busy.starts_at + datetime.timedelta(minutes=5) == local(2023, 11, 12, 10, 5)


def test_a_start_not_written_as_a_wall_clock_is_refused_with_the_format_named(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    before = where(screening)
    response = move(anna, screening, second_screen, "12/11/2023 16:30")
    assert response.status_code == 302
    assert said(response) == ["Not moved: Give the start as YYYY-MM-DDTHH:MM."]
    answer = move(anna, screening, second_screen, "2023-11-12 16:30", version="latest", json=True)
    assert (answer.status_code, answer.json()) == (
        409,
        {"ok": False, "message": "Not moved: Give the start as YYYY-MM-DDTHH:MM. Enter a whole number."},
    )
    assert where(screening) == before
    assert not Version.objects.get_for_object(screening).exists()


def test_an_online_screening_moved_onto_a_screen_says_it_was_online(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="online", screen=None, audience="online")
    response = move(anna, screening, second_screen, "2023-11-12T16:30")
    assert said(response) == ["Moved “online” to Example Cinema 2, 2023-11-12 16:30 (Europe/Amsterdam)."]
    [version] = Version.objects.get_for_object(screening)
    assert version.revision.get_comment() == (
        "Moved on the board from Online, 2023-11-12 14:00 to Example Cinema 2, 2023-11-12 16:30."
    )


def test_a_move_to_a_screen_that_does_not_exist_is_refused(anna, make_screening, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    before = where(screening)
    gone = Screen(pk=second_screen.pk + 100)
    response = move(anna, screening, gone, "2023-11-12T16:30", json=True)
    assert (response.status_code, response.json()) == (409, {"ok": False, "message": "There is no such screen."})
    assert where(screening) == before
    # Without the script: back to the board of the screening's day, the refusal said as an error.
    response = move(anna, screening, gone, "2023-11-12T16:30")
    assert response.url == f"{BOARD}?edition=idfa-2023&day=2023-11-12"
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        ("error", "There is no such screen.")
    ]
    anna.get(response.url)  # The board shows the refusal, and it is gone.
    response = move(anna, screening, second_screen, "2023-11-12T16:30")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_a_move_from_the_boards_script_answers_in_json_and_leaves_the_message_for_the_reloaded_board(
    anna, make_screening, second_screen
):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    response = move(anna, screening, second_screen, "2023-11-12T16:30", json=True)
    text = "Moved “afternoon” to Example Cinema 2, 2023-11-12 16:30 (Europe/Amsterdam)."
    assert (response.status_code, response.json()) == (200, {"ok": True, "message": text})
    assert said(response) == [text]
    assert where(screening)[0] == "example-cinema-2"


def test_a_move_that_leaves_a_planning_warning_is_kept_and_says_the_warning(anna, make_screening, second_screen):
    make_screening(local(2023, 11, 12, 10, 0), key="morning")
    screening = make_screening(local(2023, 11, 13, 14, 0), key="next-day")
    response = move(anna, screening, second_screen, "2023-11-12T16:30")
    assert said(response) == [
        "Moved “next-day” to Example Cinema 2, 2023-11-12 16:30 (Europe/Amsterdam). Warning: “We Will Not Fade "
        "Away” plays twice in Best of Fests on 2023-11-12: also in “morning”, 2023-11-12 10:00–11:40."
    ]
    assert where(screening)[1] == local(2023, 11, 12, 16, 30)


def test_an_undo_into_a_screen_deleted_since_is_refused(anna, make_screening, screen, second_screen):
    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    move(anna, screening, second_screen, "2023-11-12T16:30")
    screen.delete()
    response = anna.post(reverse("admin:films_screening_board_undo"), HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()) == (
        409,
        {"ok": False, "message": "Not moved: The screen it was in no longer exists."},
    )
    assert where(screening)[:2] == ("example-cinema-2", local(2023, 11, 12, 16, 30))
