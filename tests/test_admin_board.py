"""The schedule board: one day of an edition, screens as columns, time as rows, clashes marked."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection

from films.models import Film, Screen

from .conftest import local

BOARD = "/admin/films/screening/board/"
BLOCK = re.compile(
    r'<a href="(?P<href>[^"]+)" class="(?P<classes>[^"]+)" data-column="(?P<column>\d+)" '
    r'data-screening="(?P<key>[^"]+)"(?P<moves>[^>]*)>(?P<body>.*?)</a>',
    re.DOTALL,
)
HEADER = re.compile(
    r'<div class="board-screen c-(?P<column>\d+) r-1" role="columnheader" data-column="\d+"'
    r'(?: data-screen="\d+")?>(?P<name>[^<]+)'
)


def blocks(html):
    return {match["key"]: match.groupdict() for match in BLOCK.finditer(html)}


def columns(html):
    return {match["name"]: match["column"] for match in HEADER.finditer(html)}


def text(body):
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.fixture
def second_screen(venue):
    return Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2", order=1)


def test_board_shows_each_screenings_films_in_its_screens_column(admin_client, make_screening, film, second_screen):
    short = Film.objects.create(key="short", title="A Short", runtime_minutes=15)
    first = make_screening(local(2023, 11, 12, 19, 15), key="evening", films=[short, film])
    second = make_screening(local(2023, 11, 12, 14, 0), key="afternoon", screen=second_screen)
    make_screening(local(2023, 11, 13, 14, 0), key="next-day")
    response = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert columns(html) == {"Example Cinema 1": "2", "Example Cinema 2": "3"}
    found = blocks(html)
    assert set(found) == {"evening", "afternoon"}
    assert found["evening"]["href"] == f"/admin/films/screening/{first.pk}/change/"
    assert found["afternoon"]["href"] == f"/admin/films/screening/{second.pk}/change/"
    assert found["evening"]["column"] == "2"
    assert found["afternoon"]["column"] == "3"
    # The same film twice in one section on one day: a planning warning (films/warnings.py), named on both.
    assert text(found["evening"]["body"]) == (
        "19:15–20:55 A Short + We Will Not Fade Away Best of Fests Warning: “We Will Not Fade Away” plays twice in "
        "Best of Fests on 2023-11-12: also in “afternoon”, 2023-11-12 14:00–15:40."
    )
    assert "warned" in found["evening"]["classes"].split()
    assert text(found["afternoon"]["body"]) == (
        "14:00–15:40 We Will Not Fade Away Best of Fests Warning: “We Will Not Fade Away” plays twice in "
        "Best of Fests on 2023-11-12: also in “evening”, 2023-11-12 19:15–20:55."
    )
    # The grid starts at 14:00 (row 2); five minutes a row: 19:15 is row 2 + 63, 100 minutes are 20 rows.
    assert found["afternoon"]["classes"] == "screening status-scheduled warned c-3 r-2 span-20"
    assert found["evening"]["classes"] == "screening status-scheduled warned c-2 r-65 span-20"
    assert "clash" not in html.lower().replace("clashes", "")
    assert 'style="' not in html.split('id="content-main"')[1]


def drop_overlap_rule():
    """Let overlapping screenings into the database, as legacy data would be (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE films_screening DROP CONSTRAINT screening_no_overlap_in_screen")
        else:
            cursor.execute("DROP TRIGGER screening_no_overlap_in_screen_INSERT")


def test_board_marks_screenings_that_overlap_in_a_screen_changeover_included(admin_client, make_screening):
    drop_overlap_rule()
    make_screening(local(2023, 11, 12, 19, 0), key="first")  # ends 20:40, screen free at 20:55
    make_screening(local(2023, 11, 12, 20, 50), key="too-soon")
    make_screening(local(2023, 11, 12, 22, 45), key="later")  # too-soon frees the screen at 22:45
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    found = blocks(html)
    # The second of two that clash is drawn in the next lane; all three are warned (the same film thrice a day).
    assert {key: block["classes"] for key, block in found.items()} == {
        "first": "screening status-scheduled clash lane-0 warned c-2 r-2 span-20",
        "too-soon": "screening status-scheduled clash lane-1 warned c-2 r-24 span-20",
        "later": "screening status-scheduled warned c-2 r-47 span-20",
    }
    assert "Clash: overlaps too-soon" in text(found["first"]["body"])
    assert "Clash: overlaps first" in text(found["too-soon"]["body"])
    assert "2 screenings clash with others." in html


def test_board_navigates_between_days_and_editions(admin_client, make_screening):
    make_screening(local(2023, 11, 12, 19, 0))
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert f'<a href="{BOARD}?edition=idfa-2023&amp;day=2023-11-11" rel="prev"' in html
    assert f'<a href="{BOARD}?edition=idfa-2023&amp;day=2023-11-13" rel="next"' in html
    assert html.count(f'href="{BOARD}?edition=idfa-2023&amp;day=2023-11-') == 12 + 2  # each day, previous, next
    assert f'<a href="{BOARD}?edition=idfa-2023&amp;day=2023-11-12" aria-current="date"' in html
    assert '<option value="idfa-2023" selected>IDFA 2023</option>' in html
    first_day = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-08"}).content.decode()
    assert 'rel="prev"' not in first_day
    assert "No screenings on this day." in first_day


def test_board_says_when_the_day_is_not_in_the_edition(admin_client, edition):
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2024-01-01"}).content.decode()
    assert (
        '<p class="errornote">IDFA 2023 runs from 2023-11-08 to 2023-11-19; 2024-01-01 is not one of its days.</p>'
    ) in html
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "12-11-2023"}).content.decode()
    assert '<p class="errornote">“12-11-2023” is not a day; give it as YYYY-MM-DD.</p>' in html


def test_without_a_day_the_board_shows_today_in_the_editions_zone_or_else_its_first_day(
    admin_client, edition, monkeypatch
):
    import datetime

    from django.utils import timezone

    assert admin_client.get(BOARD, {"edition": "idfa-2023"}).context["day"] == datetime.date(2023, 11, 8)
    # 23:30 on the 12th in UTC is 00:30 on the 13th in Amsterdam.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 23, 30, tzinfo=datetime.UTC))
    assert admin_client.get(BOARD, {"edition": "idfa-2023"}).context["day"] == datetime.date(2023, 11, 13)


def test_a_board_with_no_edition_yet_says_so(admin_client):
    response = admin_client.get(BOARD)
    assert (response.status_code, response.context["edition"]) == (200, None)
    html = response.content.decode()
    assert "<title>Schedule board | Django site admin</title>" in html
    assert "<p>There are no editions yet; add an edition first.</p>" in html


def test_board_needs_permission_to_view_screenings(client, edition):
    user = User.objects.create_user("intern", password="intern-password", is_staff=True)
    client.force_login(user)
    assert client.get(BOARD, {"edition": "idfa-2023"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_screening"))
    assert client.get(BOARD, {"edition": "idfa-2023"}).status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_board_query_count_does_not_grow_with_screenings(
    admin_client, make_screening, count, django_assert_num_queries
):
    for n in range(count):
        make_screening(local(2023, 11, 12, 10 + 2 * n, 0), key=f"s{n}")
    # session, user, editions, the edition's plan (films/plan.py: sections, selections, screenings, their films,
    # their guests), the edition's screens
    with django_assert_num_queries(9):
        html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert len(blocks(html)) == count


def test_a_venue_filter_narrows_the_board_to_its_screens_and_keeps_to_it_across_days(
    admin_client, make_screening, second_screen
):
    from films.models import Venue

    arsenal = Venue.objects.create(key="arsenal", name="Arsenal")
    kino = Screen.objects.create(venue=arsenal, key="arsenal-1", name="Arsenal 1")
    make_screening(local(2023, 11, 12, 10), key="cinema-morning")
    make_screening(local(2023, 11, 12, 14), key="cinema-afternoon", screen=second_screen)
    make_screening(local(2023, 11, 12, 12), key="arsenal-noon", screen=kino)
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert set(columns(html)) == {"Arsenal 1", "Example Cinema 1", "Example Cinema 2"}
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', html.split('id="board-venue"')[1])[:3] == [
        ("", "All venues"),
        ("arsenal", "Arsenal"),
        ("example-cinema", "Example Cinema"),
    ]
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12", "venue": "arsenal"}).content.decode()
    assert columns(html) == {"Arsenal 1": "2"}
    assert set(blocks(html)) == {"arsenal-noon"}
    assert '<option value="arsenal" selected>Arsenal</option>' in html
    # The day links keep the venue.
    assert 'href="/admin/films/screening/board/?edition=idfa-2023&amp;day=2023-11-13&amp;venue=arsenal"' in html
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12", "venue": "example-cinema"}).content
    assert set(blocks(html.decode())) == {"cinema-morning", "cinema-afternoon"}


def test_an_unknown_venue_says_so_and_shows_every_screen(admin_client, make_screening):
    make_screening(local(2023, 11, 12, 10), key="morning")
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12", "venue": "nowhere"}).content.decode()
    assert '<p class="errornote">No screening of this edition is at a venue with the key “nowhere”.</p>' in html
    assert set(blocks(html)) == {"morning"}
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12", "venue": "v" * 150}).content.decode()
    assert f'<p class="errornote">No screening of this edition is at a venue with the key “{"v" * 100}”.</p>' in html


def test_the_board_shows_the_edition_asked_for_and_else_the_latest(admin_client, make_screening, edition, next_edition):
    make_screening(local(2023, 11, 12, 14, 0), key="in-2023")
    asked = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"})
    assert (asked.context["edition"], set(blocks(asked.content.decode()))) == (edition, {"in-2023"})
    assert admin_client.get(BOARD).context["edition"] == next_edition
    unknown = admin_client.get(BOARD, {"edition": "idfa-1999"})
    assert unknown.context["edition"] == next_edition
    assert '<p class="errornote">There is no edition with the key “idfa-1999”.</p>' in unknown.content.decode()


HOUR = re.compile(r'<div class="board-hour c-1 r-(\d+) span-(\d+)" role="rowheader">([^<]+)</div>')
CHANGEOVER = re.compile(r'<div class="changeover c-(\d+) r-(\d+) span-(\d+)" aria-hidden="true"></div>')
COLUMN_HEAD = re.compile(r'<div class="board-screen [^>]+>.*?</div>', re.DOTALL)


def test_the_board_lays_out_a_day_exactly_from_its_first_hour_to_its_last(
    admin_client, make_screening, second_screen, screen, venue
):
    def film(key):  # A film of its own for each: no planning warning.
        return [Film.objects.create(key=key, title=key.title(), published=True)]

    make_screening(local(2023, 11, 12, 0, 0), key="midnight", minutes=60, films=film("one"))  # not "continued"
    make_screening(local(2023, 11, 12, 1, 30), key="short", minutes=3, screen=second_screen, films=film("two"))
    make_screening(
        local(2023, 11, 12, 2, 0), key="online", minutes=40, screen=None, audience="online", films=film("three")
    )
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert [" ".join(head.split()) for head in COLUMN_HEAD.findall(html)] == [
        f'<div class="board-screen c-2 r-1" role="columnheader" data-column="2" data-screen="{screen.pk}">'
        'Example Cinema 1<span class="board-venue">Example Cinema</span></div>',
        f'<div class="board-screen c-3 r-1" role="columnheader" data-column="3" data-screen="{second_screen.pk}">'
        'Example Cinema 2<span class="board-venue">Example Cinema</span></div>',
        '<div class="board-screen c-4 r-1" role="columnheader" data-column="4">Online</div>',
    ]
    # Five-minute rows from 00:00 (row 2) to the hour after the last screen is free again (02:40 online).
    assert HOUR.findall(html) == [("2", "12", "00:00"), ("14", "12", "01:00"), ("26", "12", "02:00")]
    assert 'data-first-minute="0"' in html
    found = blocks(html)
    assert {key: block["classes"] for key, block in found.items()} == {
        "midnight": "screening status-scheduled c-2 r-2 span-12",
        "short": "screening status-scheduled c-3 r-20 span-1",
        "online": "screening status-scheduled c-4 r-26 span-8",
    }
    # The changeovers after each screen's screenings (15 minutes); none for a screening online.
    assert CHANGEOVER.findall(html) == [("2", "14", "3"), ("3", "20", "3")]
    assert "from the day before" not in html


def test_a_day_running_past_midnight_draws_24_hours_at_most(admin_client, make_screening, second_screen):
    make_screening(local(2023, 11, 12, 0, 0), key="first", minutes=60)
    make_screening(local(2023, 11, 12, 23, 30), key="late", minutes=150, screen=second_screen)  # to 02:00
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    hours = [label for _row, _span, label in HOUR.findall(html)]
    assert hours == [f"{hour:02d}:00" for hour in range(24)]
    # The late show runs to the foot of the grid: 30 minutes, 6 rows.
    assert blocks(html)["late"]["classes"] == "screening status-scheduled warned c-3 r-284 span-6"


def test_an_empty_day_says_so_with_no_grid(admin_client, edition):
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert "No screenings on this day." in html
    assert 'class="board"' not in html
    assert blocks(html) == {}


NAVIGATION = re.compile(r'<a href="([^"]+)" rel="(prev|next)"')


def test_each_day_links_the_day_before_and_after_keeping_the_venue(admin_client, make_screening):
    make_screening(local(2023, 11, 12, 10), key="morning")

    def navigation(day):
        html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": day, "venue": "example-cinema"})
        html = html.content.decode().replace("&amp;", "&")
        links = [link for link in re.findall(r'<li><a href="([^"]+)"', html) if "day=" in link]
        return NAVIGATION.findall(html), links

    def link(day):
        return f"{BOARD}?edition=idfa-2023&day=2023-11-{day}&venue=example-cinema"

    days = [link(f"{day:02d}") for day in range(8, 20)]
    assert navigation("2023-11-08") == ([(link("09"), "next")], days)
    assert navigation("2023-11-09") == ([(link("08"), "prev"), (link(10), "next")], days)
    assert navigation("2023-11-18") == ([(link(17), "prev"), (link(19), "next")], days)
    assert navigation("2023-11-19") == ([(link(18), "prev")], days)


def test_the_board_names_its_day_zone_and_counts_in_its_title_and_summary(admin_client, make_screening, film):
    film.minimum_age = 6
    film.save()
    make_screening(local(2023, 11, 12, 21, 0), key="late-for-children")  # ends after the young audiences' latest
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert "<title>Schedule board: IDFA 2023, 2023-11-12 | Django site admin</title>" in html
    summary = " ".join(html.split('<p class="board-summary">')[1].split("</p>")[0].split())
    assert summary == (
        "Sunday 12 November 2023, times in Europe/Amsterdam. "
        '<strong class="board-warning-count">1 screening has a planning warning.</strong> '
        f'<a href="/admin/films/screening/add/?edition={film.screenings.get().edition_id}" class="addlink">'
        "Add screening</a>"
    )


def test_the_board_offers_no_undo_for_a_move_in_another_edition_or_of_a_deleted_screening(
    admin_client, make_screening, next_edition
):
    from films.admin.board import LAST_MOVE

    screening = make_screening(local(2023, 11, 12, 14, 0), key="afternoon")
    session = admin_client.session
    session[LAST_MOVE] = {"screening": screening.pk, "text": "Example Cinema 1, 2023-11-12 14:00"}
    session.save()
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    assert "Undo your last move (“afternoon” back to Example Cinema 1, 2023-11-12 14:00)" in html
    assert "Undo your last move" not in admin_client.get(BOARD, {"edition": "idfa-2024"}).content.decode()
    screening.delete()
    response = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"})
    assert response.status_code == 200
    assert "Undo your last move" not in response.content.decode()
