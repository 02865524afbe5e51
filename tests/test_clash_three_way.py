"""Clashes among three or more screenings: every one is found, each names all the others, lanes stack.

Three paths find clashes: the model (``Screening.clean()`` and ``clashing_with``), the admin's schedule board
(``films/admin/board.py``, ``mark_clashes``) and the personal programme's sweep (``films/views/calendar.py``).
Two overlapping screenings are tested beside each; here three and four overlap at once.
"""

import re

import pytest
from django.core.exceptions import ValidationError

from films.models import Film, Screen, Screening

from .conftest import local
from .test_admin_board import BOARD, blocks, drop_overlap_rule, text


@pytest.fixture
def films(db):
    return {
        key: Film.objects.create(key=f"film-{key}", title=f"Film {key.upper()}", published=True)
        for key in ("a", "b", "c", "d", "e")
    }


# The model ---------------------------------------------------------------------------------------------------


def test_a_screening_overlapping_two_others_names_the_earlier_and_finds_both(make_screening, edition, screen, films):
    first = make_screening(local(2023, 11, 12, 19, 0), key="first", films=[films["a"]])  # free at 20:55
    second = make_screening(local(2023, 11, 12, 21, 30), key="second", films=[films["b"]])
    # 20:50–21:20: in the first one's changeover, and its own changeover (to 21:35) runs into the second.
    between = Screening(
        edition=edition,
        key="between",
        screen=screen,
        starts_at=local(2023, 11, 12, 20, 50),
        ends_at=local(2023, 11, 12, 21, 20),
    )
    between.blocked_until = between.compute_blocked_until()
    assert set(Screening.objects.clashing_with(between)) == {first, second}
    with pytest.raises(ValidationError) as error:
        between.full_clean()
    assert error.value.message_dict == {
        "starts_at": [
            "This screening clashes with screening “first” (Film A) in Example Cinema 1, "
            "2023-11-12 19:00–20:40 (Europe/Amsterdam); the screen needs 15 minutes between screenings."
        ]
    }


def test_with_legacy_overlaps_each_screening_names_the_earliest_other(make_screening, films):
    drop_overlap_rule()
    first = make_screening(local(2023, 11, 12, 19, 0), key="first", films=[films["a"]])
    second = make_screening(local(2023, 11, 12, 19, 30), key="second", films=[films["b"]])
    third = make_screening(local(2023, 11, 12, 20, 0), key="third", films=[films["c"]])
    assert set(Screening.objects.clashing_with(first)) == {second, third}
    assert set(Screening.objects.clashing_with(second)) == {first, third}
    assert set(Screening.objects.clashing_with(third)) == {first, second}
    named = {}
    for screening in (first, second, third):
        with pytest.raises(ValidationError) as error:
            screening.full_clean()
        named[screening.key] = re.match(
            r"This screening clashes with screening “([^”]+)”", error.value.message_dict["starts_at"][0]
        )[1]
    assert named == {"first": "second", "second": "first", "third": "first"}


# The schedule board ------------------------------------------------------------------------------------------


@pytest.fixture
def crowded(make_screening, films):
    """Legacy data: three screenings overlapping in one screen, a fourth in the third's changeover, a fifth clear."""
    drop_overlap_rule()
    make_screening(local(2023, 11, 12, 19, 0), key="first", films=[films["a"]])  # 19:00–20:40, free 20:55
    make_screening(local(2023, 11, 12, 19, 30), key="second", films=[films["b"]])  # 19:30–21:10, free 21:25
    make_screening(local(2023, 11, 12, 20, 0), key="third", films=[films["c"]])  # 20:00–21:40, free 21:55
    make_screening(local(2023, 11, 12, 21, 50), key="fourth", films=[films["d"]])  # in third's changeover
    make_screening(local(2023, 11, 12, 23, 45), key="fifth", films=[films["e"]], minutes=15)  # fourth free 23:45


def test_board_marks_every_screening_of_a_three_way_clash_and_names_all_others(admin_client, crowded):
    html = admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode()
    found = blocks(html)
    clashes = {
        key: re.search(r"Clash: overlaps ([^<]+)", found[key]["body"])[1].strip()
        if "Clash" in found[key]["body"]
        else ""
        for key in found
    }
    assert clashes == {
        "first": "second, third",
        "second": "first, third",
        "third": "first, second, fourth",
        "fourth": "third",
        "fifth": "",
    }
    lanes = {key: [name for name in found[key]["classes"].split() if name.startswith("lane-")] for key in found}
    assert lanes == {"first": ["lane-0"], "second": ["lane-1"], "third": ["lane-2"], "fourth": ["lane-3"], "fifth": []}
    marked = {key for key in found if "clash" in found[key]["classes"].split()}
    assert marked == {"first", "second", "third", "fourth"}
    assert "4 screenings clash with others." in html
    assert text(found["third"]["body"]) == "20:00–21:40 Film C Best of Fests Clash: overlaps first, second, fourth"


def test_board_lanes_never_exceed_three(admin_client, make_screening, films):
    drop_overlap_rule()
    for index in range(5):
        make_screening(local(2023, 11, 12, 18, 10 * index), key=f"s{index}", films=[films["a"]])
    found = blocks(admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode())
    lanes = {key: [name for name in found[key]["classes"].split() if name.startswith("lane-")] for key in found}
    assert lanes == {
        "s0": ["lane-0"],
        "s1": ["lane-1"],
        "s2": ["lane-2"],
        "s3": ["lane-3"],
        "s4": ["lane-3"],
    }
    assert re.search(r"Clash: overlaps ([^<]+)", found["s4"]["body"])[1].strip() == "s0, s1, s2, s3"


def test_board_cancelled_screening_in_the_middle_of_a_clash_is_not_marked(admin_client, make_screening, films):
    drop_overlap_rule()
    make_screening(local(2023, 11, 12, 19, 0), key="first", films=[films["a"]])
    make_screening(local(2023, 11, 12, 19, 30), key="cancelled", films=[films["b"]], status="cancelled")
    make_screening(local(2023, 11, 12, 20, 0), key="third", films=[films["c"]])
    found = blocks(admin_client.get(BOARD, {"edition": "idfa-2023", "day": "2023-11-12"}).content.decode())
    assert "clash" not in found["cancelled"]["classes"].split()
    assert re.search(r"Clash: overlaps ([^<]+)", found["first"]["body"])[1].strip() == "third"
    assert re.search(r"Clash: overlaps ([^<]+)", found["third"]["body"])[1].strip() == "first"
    assert "lane-1" in found["third"]["classes"].split()


# The personal programme ---------------------------------------------------------------------------------------


def test_personal_programme_flags_each_of_three_overlapping_screenings_with_both_others(
    client, make_screening, venue, films
):
    screens = [*Screen.objects.all()] + [
        Screen.objects.create(venue=venue, key=f"extra-{index}", name=f"Extra {index}") for index in (2, 3)
    ]
    make_screening(local(2023, 11, 12, 19, 0), key="first", films=[films["a"]], screen=screens[0])  # to 20:40
    make_screening(local(2023, 11, 12, 19, 30), key="second", films=[films["b"]], screen=screens[1])  # to 21:10
    make_screening(local(2023, 11, 12, 20, 0), key="third", films=[films["c"]], screen=screens[2])  # to 21:40
    make_screening(local(2023, 11, 12, 21, 30), key="fourth", films=[films["d"]], screen=screens[1])  # to 23:10
    make_screening(local(2023, 11, 12, 23, 10), key="fifth", films=[films["e"]], screen=screens[2], minutes=15)
    html = client.get("/en/my-programme/?edition=idfa-2023&s=first,second,third,fourth,fifth").content.decode()
    items = dict(re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)"[^>]*>(.*?)\n</li>', html, re.S))
    clash = {
        key: (re.search(r"<strong>Clash:</strong> overlaps with (.*?)</p>", body) or [None, ""])[1]
        for key, body in items.items()
    }
    assert clash == {
        "first": "19:30–21:10 Film B; 20:00–21:40 Film C",
        "second": "19:00–20:40 Film A; 20:00–21:40 Film C",
        "third": "19:00–20:40 Film A; 19:30–21:10 Film B; 21:30–23:10 Film D",
        "fourth": "20:00–21:40 Film C",
        "fifth": "",
    }
    assert "4 screenings overlap another." in html
