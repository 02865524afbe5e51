"""A screening moved or cancelled in the last 48 hours says so on the programme and film pages ("Moved from …",
"Cancelled on …"), read from the recorded history; older changes, additions and drafts carry no note."""

import datetime
import re

import pytest
import reversion
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from reversion.models import Revision

from films.models import Film, Screen, Screening, Selection

from .conftest import local, saved_days_ago

PROGRAMME = "/{language}/idfa-2023/programme/?day={day}"
FILM = "/{language}/films/{film}/"


@pytest.fixture
def planned(edition, section, film, make_screening):
    """A programme public for three days: a screening of the example film on Sunday at 14:00, kept in the history
    as it was then."""
    screening = make_screening(local(2023, 11, 12, 14), key="wwnfa-1")
    Selection.objects.create(section=section, film=film)
    with reversion.create_revision():
        edition.save()
        screening.save()
    Revision.objects.update(date_created=timezone.now() - datetime.timedelta(days=3))
    saved_days_ago()
    return screening


def move(client, screening, wall_time, screen=None):
    screening.refresh_from_db()
    response = client.post(
        reverse("admin:films_screening_move", args=[screening.pk]),
        {"screen": (screen or screening.screen).pk, "starts_at": wall_time, "version": screening.version},
    )
    assert response.status_code == 302


def cancel(client, *screenings):
    response = client.post(
        reverse("admin:films_screening_changelist"),
        {"action": "mark_cancelled", "_selected_action": [screening.pk for screening in screenings]},
    )
    assert response.status_code == 302


def notes(client, url):
    """The change notes on a page, as text: ``[(screening key, note), ...]``."""
    html = client.get(url).content.decode()
    found = []
    for item in re.split(r'<li class="screening[ "]', html)[1:]:
        key = re.search(r'data-screening="([^"]+)"', item).group(1)
        for note in re.findall(r'class="screening__change screening__change--[a-z]+"><strong>([^<]*)</strong>', item):
            found.append((key, note))
    return found


def programme_notes(client, day, language="en"):
    return notes(client, PROGRAMME.format(language=language, day=day))


def film_notes(client, film="we-will-not-fade-away", language="en"):
    return notes(client, FILM.format(language=language, film=film))


def test_a_moved_screening_says_where_and_when_it_was_on_the_programme_and_the_film_page(
    admin_client, client, planned, venue
):
    second = Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2", order=1)
    assert programme_notes(client, "2023-11-12") == []
    move(admin_client, planned, "2023-11-13T18:30", second)
    expected = [("wwnfa-1", "Moved from Sun 12 Nov, 14:00, Example Cinema 1, Example Cinema")]
    assert programme_notes(client, "2023-11-13") == expected
    assert film_notes(client) == expected
    # The old day no longer lists it.
    assert programme_notes(client, "2023-11-12") == []


def test_two_moves_in_the_window_name_the_place_before_the_first(admin_client, client, planned):
    move(admin_client, planned, "2023-11-12T16:00")
    move(admin_client, planned, "2023-11-12T18:15")
    assert programme_notes(client, "2023-11-12") == [
        ("wwnfa-1", "Moved from Sun 12 Nov, 14:00, Example Cinema 1, Example Cinema")
    ]


def test_a_screening_moved_back_where_it_was_carries_no_note(admin_client, client, planned):
    move(admin_client, planned, "2023-11-12T16:00")
    move(admin_client, planned, "2023-11-12T14:00")
    assert programme_notes(client, "2023-11-12") == []
    assert film_notes(client) == []


def test_a_cancelled_screening_says_when_it_was_cancelled(admin_client, client, planned, edition):
    cancel(admin_client, planned)
    moment = timezone.localtime(Revision.objects.latest("date_created").date_created, edition.tzinfo)
    expected = [("wwnfa-1", f"Cancelled on {moment:%a} {moment.day} {moment:%b} at {clock(moment)}")]
    assert programme_notes(client, "2023-11-12") == expected
    assert film_notes(client) == expected


def clock(moment):
    """The time of day as the English pages print it."""
    return dateformat.format(moment, "H:i")


def test_after_48_hours_the_note_is_gone(admin_client, client, planned, monkeypatch):
    move(admin_client, planned, "2023-11-12T16:00")
    assert len(programme_notes(client, "2023-11-12")) == 1
    real_now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: real_now + datetime.timedelta(hours=49))
    assert programme_notes(client, "2023-11-12") == []
    assert film_notes(client) == []


def test_additions_and_drafts_carry_no_note(admin_client, client, planned, make_screening, film):
    # Added within the window: news for the changelog, but not a move.
    added = make_screening(local(2023, 11, 12, 20), key="wwnfa-2")
    with reversion.create_revision():
        added.save()
    move(admin_client, added, "2023-11-12T21:00")
    # A draft three days ago, published and moved since: its earlier places were a draft's.
    draft = make_screening(local(2023, 11, 12, 10), key="wwnfa-3", published=False)
    with reversion.create_revision():
        draft.save()
    Revision.objects.filter(version__object_id=str(draft.pk)).update(
        date_created=timezone.now() - datetime.timedelta(days=3)
    )
    Screening.objects.filter(pk=draft.pk).update(published=True)
    move(admin_client, Screening.objects.get(pk=draft.pk), "2023-11-12T11:00")
    assert programme_notes(client, "2023-11-12") == []


def test_a_moved_shorts_programme_says_so_on_each_of_its_films_pages(
    admin_client, client, planned, section, make_screening, film
):
    short = Film.objects.create(key="a-short", title="A Short", published=True)
    Selection.objects.create(section=section, film=short)
    shorts = make_screening(local(2023, 11, 14, 10), key="shorts-1", films=[film, short])
    with reversion.create_revision():
        shorts.save()
    Revision.objects.filter(version__object_id=str(shorts.pk)).update(
        date_created=timezone.now() - datetime.timedelta(days=3)
    )
    move(admin_client, shorts, "2023-11-14T12:00")
    expected = ("shorts-1", "Moved from Tue 14 Nov, 10:00, Example Cinema 1, Example Cinema")
    assert film_notes(client, "a-short") == [expected]
    assert expected in film_notes(client)
    assert programme_notes(client, "2023-11-14") == [expected]


def test_the_note_is_in_the_page_language_and_the_editions_time_zone(admin_client, client, planned):
    move(admin_client, planned, "2023-11-12T16:00")
    assert programme_notes(client, "2023-11-12", language="de") == [
        ("wwnfa-1", "Verlegt von So 12 Nov, 14:00, Example Cinema 1, Example Cinema")
    ]


@pytest.mark.parametrize("moved", [1, 4])
def test_recent_changes_cost_one_query_however_many(
    admin_client, client, planned, make_screening, moved, django_assert_num_queries
):
    extra = [make_screening(local(2023, 11, 12, 16 + 3 * index), key=f"extra-{index}") for index in range(moved - 1)]
    with reversion.create_revision():
        for screening in extra:
            screening.save()
    Revision.objects.update(date_created=timezone.now() - datetime.timedelta(days=3))
    for screening in [*reversed(extra), planned]:  # latest first: each moves into time still free
        moved_to = timezone.localtime(screening.starts_at, planned.edition.tzinfo) + datetime.timedelta(minutes=15)
        move(admin_client, screening, moved_to.strftime("%Y-%m-%dT%H:%M"))
    # The programme's seven queries and the history of the screenings saved in the last 48 hours.
    with django_assert_num_queries(8):
        assert len(programme_notes(client, "2023-11-12")) == moved
    # The film page's twelve and the same.
    with django_assert_num_queries(13):
        assert len(film_notes(client)) == moved


def test_a_cancellation_note_is_in_each_page_language_in_turn(admin_client, client, planned, edition):
    cancel(admin_client, planned)
    moment = timezone.localtime(Revision.objects.latest("date_created").date_created, edition.tzinfo)
    english = f"Cancelled on {moment:%a} {moment.day} {moment:%b} at {clock(moment)}"
    assert programme_notes(client, "2023-11-12") == [("wwnfa-1", english)]
    with translation.override("de"):
        german = f"Abgesagt am {dateformat.format(moment, 'D j M')} um {clock(moment)}"
    # Today's day name in German (Do, not Thu), though the English note formatted the same day first.
    assert programme_notes(client, "2023-11-12", language="de") == [("wwnfa-1", german)]


def test_an_online_screening_moved_to_a_screen_says_it_was_online(
    admin_client, client, planned, make_screening, screen
):
    online = make_screening(local(2023, 11, 13, 14), key="online-1", screen=None, audience="online")
    with reversion.create_revision():
        online.save()
    Revision.objects.filter(version__object_id=str(online.pk)).update(
        date_created=timezone.now() - datetime.timedelta(days=3)
    )
    move(admin_client, online, "2023-11-13T16:00", screen)
    assert programme_notes(client, "2023-11-13") == [("online-1", "Moved from Mon 13 Nov, 14:00, Online")]
