"""The programme's grid view (``films.queries.grid``): one column per screen in the venues' order, one row per
quarter hour from the day's first start to its last end, each screening spanning its quarters; a cancelled
screening gives way to the one that plays, and what finds no free quarter is left out. No database."""

import datetime
import zoneinfo

from django.utils import translation

from films.models import Screening
from films.queries import grid

TZ = zoneinfo.ZoneInfo("Europe/Amsterdam")
DAY = datetime.date(2023, 11, 12)
# (screen id, venue, its order in the venue, screen name): ids in another order than the venues'.
SCREENS = {
    "tuschinski-1": (7, "Tuschinski", 0, "Zaal 1"),
    "tuschinski-2": (3, "Tuschinski", 1, "Zaal 2"),
    "eye": (5, "Eye", 0, "Cinema 1"),
}


def row(key, screen, start, end, status=Screening.Status.SCHEDULED):
    screen_id, venue, order, name = SCREENS[screen]
    starts = datetime.datetime.combine(DAY, datetime.time(*start), tzinfo=TZ)
    ends = datetime.datetime.combine(DAY, datetime.time(*end), tzinfo=TZ)
    return {
        "key": key,
        "screen_id": screen_id,
        "venue": venue,
        "screen_order": order,
        "screen": name,
        "starts_at": starts,
        "ends_at": ends,
        "status": status,
    }


def table(rows):
    """The grid as ``(heads, [(time, full hour, [(screening key or None, span), ...]), ...])``."""
    with translation.override("en"):
        heads, slots = grid(rows, DAY, TZ)
    return (
        [(head["venue"], head["screen"]) for head in heads],
        [
            (
                slot["time"],
                slot["full_hour"],
                [(cell["row"]["key"] if cell["row"] else None, cell["span"]) for cell in slot["cells"]],
            )
            for slot in slots
        ],
    )


def test_screens_are_columns_in_the_venues_order_and_screenings_span_their_quarters():
    heads, slots = table(
        [
            row("late", "tuschinski-2", (14, 30), (15, 0)),
            row("main", "tuschinski-1", (14, 0), (15, 40)),
            row("eye", "eye", (15, 0), (15, 10)),
        ]
    )
    assert heads == [("Eye", "Cinema 1"), ("Tuschinski", "Zaal 1"), ("Tuschinski", "Zaal 2")]
    assert slots == [
        ("14:00", True, [(None, 1), ("main", 7), (None, 1)]),
        ("14:15", False, [(None, 1), (None, 1)]),
        ("14:30", False, [(None, 1), ("late", 2)]),
        ("14:45", False, [(None, 1)]),
        # Ten minutes take one quarter.
        ("15:00", True, [("eye", 1), (None, 1)]),
        ("15:15", False, [(None, 1), (None, 1)]),
        ("15:30", False, [(None, 1), (None, 1)]),
    ]


def test_a_day_of_one_short_screening_is_one_quarter():
    assert table([row("short", "eye", (9, 0), (9, 10))]) == ([("Eye", "Cinema 1")], [("09:00", True, [("short", 1)])])


def test_a_cancelled_screening_gives_way_and_starts_in_the_next_free_quarter_or_is_left_out():
    cancelled = Screening.Status.CANCELLED
    heads, slots = table(
        [
            # Cancelled, it starts first but is placed after the screenings that play.
            row("cancelled", "eye", (10, 0), (10, 30), cancelled),
            row("playing", "eye", (10, 0), (10, 15)),
            # No free quarter left before the day's grid ends: not shown.
            row("no-room", "eye", (11, 0), (11, 15), cancelled),
            row("last", "eye", (11, 0), (11, 15)),
            # Cancelled too, and after the one left out: still placed.
            row("other-screen", "tuschinski-1", (11, 5), (11, 15), cancelled),
        ]
    )
    assert heads == [("Eye", "Cinema 1"), ("Tuschinski", "Zaal 1")]
    assert slots == [
        ("10:00", True, [("playing", 1), (None, 1)]),
        ("10:15", False, [("cancelled", 1), (None, 1)]),
        ("10:30", False, [(None, 1), (None, 1)]),
        ("10:45", False, [(None, 1), (None, 1)]),
        ("11:00", True, [("last", 1), ("other-screen", 1)]),
    ]


def test_a_cancelled_screening_pushed_past_its_own_end_takes_one_quarter():
    _heads, slots = table(
        [
            row("playing", "eye", (10, 0), (10, 30)),
            row("cancelled", "eye", (10, 0), (10, 15), Screening.Status.CANCELLED),
            row("later", "eye", (10, 45), (11, 0)),
        ]
    )
    assert slots == [
        ("10:00", True, [("playing", 2)]),
        ("10:15", False, []),
        ("10:30", False, [("cancelled", 1)]),
        ("10:45", False, [("later", 1)]),
    ]


def test_a_screening_running_into_a_placed_one_is_cut_at_its_start():
    _heads, slots = table(
        [
            row("placed", "eye", (10, 30), (11, 0)),
            row("overrun", "eye", (10, 15), (11, 0), Screening.Status.CANCELLED),
            row("before", "eye", (10, 0), (10, 15)),
        ]
    )
    assert slots == [
        ("10:00", True, [("before", 1)]),
        ("10:15", False, [("overrun", 1)]),
        ("10:30", False, [("placed", 2)]),
        ("10:45", False, []),
    ]


def test_a_screening_after_midnight_shows_at_its_local_time():
    late = row("midnight", "eye", (23, 30), (23, 45))
    late["ends_at"] = late["starts_at"] + datetime.timedelta(minutes=45)
    assert table([late])[1] == [
        ("23:30", False, [("midnight", 3)]),
        ("23:45", False, []),
        ("00:00", True, []),
    ]


def test_a_day_of_online_screenings_only_has_no_grid():
    online = row("online", "eye", (10, 0), (11, 0))
    online["screen_id"] = None
    assert table([online]) == ([], [])
