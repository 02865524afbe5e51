"""The schedule board after midnight: a late show that began the evening before is drawn from the top of the
next day's board, and a screening of that day which clashes with it in the same screen is marked."""

import datetime

import pytest

from films.models import Edition

from .conftest import local
from .test_admin_board import BOARD, blocks, drop_overlap_rule, text


def test_a_late_show_running_past_midnight_is_on_the_next_days_board_from_the_top(admin_client, make_screening):
    make_screening(local(2023, 11, 12, 23, 30), key="late", minutes=100)  # 23:30–01:10, screen free at 01:25
    make_screening(local(2023, 11, 13, 10, 0), key="morning")
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-13"}).content.decode()
    found = blocks(html)
    assert set(found) == {"late", "morning"}
    # The grid starts at 00:00 (row 2): 70 minutes to 01:10 are 14 rows; 10:00 is row 2 + 120.
    assert found["late"]["classes"] == "screening status-scheduled continued c-2 r-2 span-14"
    assert text(found["late"]["body"]) == "23:30–01:10 (from the day before) We Will Not Fade Away Best of Fests"
    assert found["morning"]["classes"] == "screening status-scheduled c-2 r-122 span-20"
    assert '<div class="changeover c-2 r-16 span-3" aria-hidden="true"></div>' in html  # 01:10–01:25
    assert '<div class="board-hour c-1 r-2 span-12" role="rowheader">00:00</div>' in html
    assert "clash" not in html.lower().replace("clashes", "")
    # On its own day the late show runs on past midnight, as before.
    own_day = blocks(admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode())
    assert own_day["late"]["classes"] == "screening status-scheduled c-2 r-8 span-20"  # the grid starts at 23:00


def test_a_screening_clashing_with_the_late_show_of_the_evening_before_is_marked(admin_client, make_screening):
    drop_overlap_rule()
    make_screening(local(2023, 11, 12, 23, 30), key="late", minutes=100)  # screen free again at 01:25
    make_screening(local(2023, 11, 13, 1, 20), key="too-early")  # in the late show's changeover
    make_screening(local(2023, 11, 13, 3, 5), key="soon-after")  # too-early ends 03:00, frees the screen at 03:15
    make_screening(local(2023, 11, 13, 5, 0), key="next")  # soon-after frees the screen at 05:00
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-13"}).content.decode()
    found = blocks(html)
    assert "clash" in found["late"]["classes"].split()
    assert "clash" in found["too-early"]["classes"].split()
    assert "Clash: overlaps too-early" in text(found["late"]["body"])
    assert "Clash: overlaps late" in text(found["too-early"]["body"])
    assert "clash" in found["soon-after"]["classes"].split()
    assert "Clash: overlaps late, soon-after" in text(found["too-early"]["body"])
    assert "clash" not in found["next"]["classes"].split()
    assert "3 screenings clash with others." in html


def test_only_the_changeover_of_a_late_show_reaching_into_the_day_still_counts(admin_client, make_screening):
    drop_overlap_rule()
    make_screening(local(2023, 11, 12, 22, 15), key="late", minutes=100)  # 22:15–23:55, screen free at 00:10
    make_screening(local(2023, 11, 13, 0, 5), key="midnight")
    make_screening(local(2023, 11, 12, 20, 0), key="evening", minutes=100)  # ended long before midnight
    found = blocks(admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-13"}).content.decode())
    assert set(found) == {"late", "midnight"}
    assert "clash" in found["late"]["classes"].split()
    assert "clash" in found["midnight"]["classes"].split()


@pytest.mark.parametrize(
    ("zone", "day", "late_start"),
    [
        # The night the clocks go back: Toronto on 1 Nov 2026, Kyiv on 25 Oct 2026 (after the late show ends).
        ("America/Toronto", datetime.date(2026, 11, 1), datetime.datetime(2026, 11, 1, 3, 30, tzinfo=datetime.UTC)),
        ("Europe/Kyiv", datetime.date(2026, 10, 25), datetime.datetime(2026, 10, 24, 20, 30, tzinfo=datetime.UTC)),
    ],
)
def test_late_show_on_the_night_of_a_dst_change(admin_client, make_screening, festival, zone, day, late_start):
    edition = Edition.objects.create(
        festival=festival,
        key="night",
        year=2026,
        name="Night",
        start_date=day - datetime.timedelta(days=2),
        end_date=day + datetime.timedelta(days=2),
        timezone=zone,
    )
    make_screening(late_start, key="late", edition=edition, section=None)  # 23:30–01:10 local
    found = blocks(admin_client.get(BOARD, {"edition": "night", "day": day.isoformat()}).content.decode())
    assert found["late"]["classes"] == "screening status-scheduled continued c-2 r-2 span-14"
    assert text(found["late"]["body"]).startswith("23:30–01:10 (from the day before)")


@pytest.mark.parametrize("count", [1, 5])
def test_board_query_count_stays_the_same_with_overnight_screenings(
    admin_client, make_screening, count, django_assert_num_queries
):
    make_screening(local(2023, 11, 12, 23, 30), key="late")
    for n in range(count):
        make_screening(local(2023, 11, 13, 10 + 2 * n, 0), key=f"s{n}")
    # session, user, editions, the edition's plan (films/plan.py: sections, selections, screenings, their films,
    # their guests), the edition's screens
    with django_assert_num_queries(9):
        html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-13"}).content.decode()
    assert len(blocks(html)) == count + 1


def test_a_late_show_whose_changeover_ends_at_midnight_is_not_on_the_next_days_board(admin_client, make_screening):
    make_screening(local(2023, 11, 12, 22, 5), key="late", minutes=100)  # 22:05–23:45, screen free at 00:00
    make_screening(local(2023, 11, 13, 10, 0), key="morning")
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-13"}).content.decode()
    assert set(blocks(html)) == {"morning"}
