"""End to end in headless Chromium (Debian's, via Playwright): language switch, programme filter, personal programme.

Each scenario runs at a phone width and a desktop width. ``playwright install`` is never needed:
the browser is the Debian package ``chromium`` (``scripts/setup --dev`` installs it).
"""

import re

import pytest
from icalendar import Calendar

from films.models import Film, Screen, Section
from tests.conftest import local, open_page

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(transactional_db, make_screening, edition, film):
    film.title_uk = "Ми не згаснемо"
    film.save()
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", published=True)
    second = Film.objects.create(key="second-film", title="Second Film", published=True)
    make_screening(local(2023, 11, 12, 10), key="morning")
    make_screening(local(2023, 11, 12, 14), key="afternoon", section=competition, films=[second])
    make_screening(local(2023, 11, 12, 19, 15), key="evening", section=competition, films=[second])


def listed(page):
    return page.locator("ol.screenings > li[data-screening]").evaluate_all(
        "items => items.map(item => item.dataset.screening)"
    )


def test_language_switch_keeps_the_visitor_on_the_same_film(page, programme):
    page.goto("/en/films/we-will-not-fade-away/")
    assert page.locator("h1").inner_text() == "We Will Not Fade Away"
    # The languages fold into a disclosure in the header: open it, then choose.
    assert not page.locator('nav.languages a[hreflang="uk"]').is_visible()
    page.locator("nav.languages summary").click()
    page.locator('nav.languages a[hreflang="uk"]').click()
    page.wait_for_url(re.compile(r"/uk/films/we-will-not-fade-away/$"))
    assert page.locator("h1").inner_text() == "Ми не згаснемо"
    assert page.locator("html").get_attribute("lang") == "uk"


def test_choosing_a_section_filters_the_programme(page, programme):
    page.goto("/en/idfa-2023/programme/?day=2023-11-12")
    assert listed(page) == ["morning", "afternoon", "evening"]
    # The filters are folded away: the first screening shows without scrolling past them.
    assert not page.locator("#f-section").is_visible()
    page.locator("details.filters-box summary").click()
    # Choosing a value sends the form at once (films/js/filters.js): no button to press.
    page.select_option("#f-section", "competition")
    page.wait_for_url(re.compile(r"section=competition"))
    assert listed(page) == ["afternoon", "evening"]
    assert page.locator("#f-section").input_value() == "competition"
    # The choice shows as a chip that removes it.
    chip = page.locator("ul.chips a.chip").first
    assert chip.get_attribute("href") == "/en/idfa-2023/programme/?day=2023-11-12"
    page.get_by_role("link", name="Remove the filter Section: Competition", exact=True).click()
    page.wait_for_url(re.compile(r"programme/\?day=2023-11-12$"))
    assert listed(page) == ["morning", "afternoon", "evening"]


def test_two_marked_screenings_make_a_personal_programme_and_its_calendar(page, programme, live_server):
    page.goto("/en/idfa-2023/programme/?day=2023-11-12")
    for key in ("morning", "evening"):
        toggle = page.locator(f'button[data-screening="{key}"]')
        assert toggle.is_visible()
        assert toggle.inner_text() == "Add to my programme"
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true"
        assert toggle.inner_text() == "Remove from my programme"
    page.goto("/en/my-programme/")
    page.wait_for_url(re.compile(r"/en/my-programme/\?edition=idfa-2023&s=morning,evening$"))
    assert listed(page) == ["morning", "evening"]
    link = page.locator("a[data-personal-ics]")
    href = link.get_attribute("href")
    assert href == "/en/idfa-2023/my-programme.ics?s=morning,evening"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    assert sorted(str(event["UID"]).split("@")[0] for event in events) == ["idfa-2023-evening", "idfa-2023-morning"]


def test_removing_a_screening_on_the_personal_page_updates_it(page, programme):
    page.goto("/en/idfa-2023/programme/?day=2023-11-12")
    page.locator('button[data-screening="morning"]').click()
    page.locator('button[data-screening="afternoon"]').click()
    page.goto("/en/my-programme/?edition=idfa-2023&s=morning,afternoon")
    page.locator('button[data-screening="morning"]').click()
    page.wait_for_url(re.compile(r"\?edition=idfa-2023&s=afternoon$"))
    assert listed(page) == ["afternoon"]


def test_the_personal_programme_flags_what_changed_since_the_last_visit(page, programme):
    import datetime

    from films.models import Screening

    page.goto("/en/my-programme/?edition=idfa-2023&s=morning,evening")
    assert listed(page) == ["morning", "evening"]
    notice = page.locator("[data-personal-changed]")
    morning = page.locator('li[data-screening="morning"] [data-seen-note]')
    # A first visit has nothing to compare with.
    assert notice.is_hidden()
    assert morning.is_hidden()
    screening = Screening.objects.get(key="morning")
    screening.starts_at += datetime.timedelta(hours=1)
    screening.ends_at += datetime.timedelta(hours=1)
    screening.save()
    page.reload()
    assert notice.is_visible()
    assert morning.inner_text() == (
        "Changed since your last visit. It was: Sun 12 Nov, 10:00–11:40, Example Cinema 1, Example Cinema"
    )
    assert page.locator('li[data-screening="evening"] [data-seen-note]').is_hidden()
    # Seen now: the next visit flags nothing until something changes again.
    page.reload()
    assert notice.is_hidden()
    assert morning.is_hidden()
    Screening.objects.filter(key="evening").update(status=Screening.Status.CANCELLED)
    page.reload()
    assert page.locator('li[data-screening="evening"] [data-seen-note]').inner_text() == (
        "Changed since your last visit. It was: Sun 12 Nov, 19:15–20:55, Example Cinema 1, Example Cinema"
    )
    assert morning.is_hidden()


def test_the_grid_scrolls_in_its_box_with_its_heads_and_times_in_place(page, transactional_db, make_screening, venue):
    from films.models import Screen

    for number in range(12):
        screen = Screen.objects.create(venue=venue, key=f"hall-{number}", name=f"Hall {number}", order=number + 1)
        for hour in (10, 13, 16, 19):
            make_screening(local(2023, 11, 12, hour), key=f"h{number}-{hour}", screen=screen)
    page.goto("/en/idfa-2023/programme/?day=2023-11-12&view=grid")
    box = page.locator(".grid-scroll")
    box.evaluate("element => { element.scrollTop = 400; element.scrollLeft = 900; }")
    edges = box.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            const head = element.querySelector("thead th:nth-child(5)").getBoundingClientRect();
            const time = element.querySelector("tbody tr:nth-child(20) th").getBoundingClientRect();
            return {top: Math.round(head.top - box.top), left: Math.round(time.left - box.left),
                    scrolled: [element.scrollTop, element.scrollLeft]};
        }"""
    )
    assert edges["scrolled"][0] > 0  # It did scroll, inside its own box, both ways.
    assert edges["scrolled"][1] > 0
    assert edges["top"] <= 1  # The screens' heads stay at the top of the box,
    assert edges["left"] <= 1  # and the times at its left.


@pytest.fixture
def board(transactional_db, make_screening, venue, screen):
    from django.contrib.auth.models import User

    from films.models import Screen

    User.objects.create_superuser("boss", password="a long password")
    second = Screen.objects.create(venue=venue, key="example-cinema-2", name="Example Cinema 2", order=1)
    make_screening(local(2023, 11, 12, 10), key="morning")
    make_screening(local(2023, 11, 12, 14), key="afternoon", screen=second)
    return second


def drag(page, key, screen_name, hour, minute=0):
    """Drag a block by its top edge to ``screen_name``'s column at ``hour:minute`` (the board's hour rows), with
    the board scrolled to the top of the window, so that the block and the place fit in it at either width."""
    page.locator(".board").evaluate("board => board.scrollIntoView({block: 'start'})")
    block = page.locator(f'a.screening[data-screening="{key}"]').bounding_box()
    column = page.locator(".board-screen", has_text=screen_name).bounding_box()
    row = page.evaluate(
        """([hour, minute]) => {
            const board = document.querySelector(".board");
            const first = document.querySelector(".board-hour").getBoundingClientRect();
            const rows = (hour * 60 + minute - Number(board.dataset.firstMinute)) / Number(board.dataset.rowMinutes);
            return first.top + rows * first.height / 12;
        }""",
        [hour, minute],
    )
    page.mouse.move(block["x"] + 8, block["y"] + 4)
    page.mouse.down()
    page.mouse.move(column["x"] + 20, row + 4, steps=10)
    page.mouse.up()


def log_in_to_the_board(page):
    page.goto("/admin/login/?next=/admin/films/screening/board/%3Fedition%3Didfa-2023%26day%3D2023-11-12")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "a long password")
    page.click("input[type=submit]")
    page.wait_for_selector(".board")


def test_a_tap_on_a_block_opens_its_form_where_a_screening_is_moved_by_keyboard(page, board):
    """Without dragging (a keyboard, or a touch screen without drag and drop): a block is a link to the
    screening's form, where the move is made."""
    from films.models import Screening

    log_in_to_the_board(page)
    morning = Screening.objects.get(key="morning")
    page.locator('a.screening[data-screening="morning"] .screening-time').click()
    page.wait_for_url(f"**/admin/films/screening/{morning.pk}/change/")
    page.fill("#id_starts_at_1", "10:30")
    page.fill("#id_ends_at_1", "12:10")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    morning.refresh_from_db()
    assert morning.starts_at == local(2023, 11, 12, 10, 30)


def test_a_screening_dragged_onto_a_clash_snaps_back_and_one_dragged_to_a_free_slot_moves_and_undoes(page, board):
    from films.models import Screening

    log_in_to_the_board(page)

    drag(page, "morning", "Example Cinema 2", 14, 30)
    status = page.locator("#board-status")
    status.wait_for(state="visible")
    assert status.inner_text().startswith("Not moved: This screening clashes with screening “afternoon”")
    morning = Screening.objects.get(key="morning")
    assert (morning.screen.key, morning.starts_at) == ("example-cinema-1", local(2023, 11, 12, 10))

    with page.expect_navigation():
        drag(page, "morning", "Example Cinema 2", 11, 15)  # Free until 14:00, its changeover included.
    morning.refresh_from_db()
    assert (morning.screen.key, morning.starts_at) == ("example-cinema-2", local(2023, 11, 12, 11, 15))
    assert "Moved “morning” to Example Cinema 2, 2023-11-12 11:15 (Europe/Amsterdam)." in page.content()

    page.get_by_role("button", name=re.compile("Undo your last move")).click()
    page.wait_for_selector(".messagelist")
    morning.refresh_from_db()
    assert (morning.screen.key, morning.starts_at) == ("example-cinema-1", local(2023, 11, 12, 10))


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 360, "height": 740}], ids=["390", "360"])
def test_on_a_phone_the_first_screening_of_the_day_shows_without_scrolling(
    browser, live_server, programme, make_screening, venue, size
):
    # A longer day, so that the list scrolls: one more screening an hour, each in a screen of its own.
    for hour in range(11, 19):
        screen = Screen.objects.create(venue=venue, key=f"screen-{hour}", name=f"Screen {hour}")
        make_screening(local(2023, 11, 12, hour, 30), key=f"more-{hour}", screen=screen)
    for page in open_page(browser, live_server, size):
        page.goto("/en/idfa-2023/programme/?day=2023-11-12")
        first = page.locator("ol.screenings > li[data-screening]").first.bounding_box()
        # The whole card of the first screening: its time, title and place, above the fold.
        assert first["y"] > 0
        assert first["y"] + first["height"] <= size["height"]
        # The result count stays in view while the list scrolls.
        page.evaluate("window.scrollTo(0, 600)")
        assert page.evaluate("window.scrollY") > 300
        bar = page.locator(".results-bar").bounding_box()
        assert 0 <= bar["y"] < 5
