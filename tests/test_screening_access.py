"""Access and guests on every screening (issue #14), on the public side: markers as text on the programme (list and
grid), film pages and the personal programme; the programme's ``access`` filter; the ``.ics`` DESCRIPTION; the JSON
API; the catalogue format (round trip, merge, preview). And in Chromium: a festival-goer filters the programme to
audio-described screenings, at phone and desktop widths.
"""

import copy
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from films.catalogue import CatalogueError, export_catalogue, import_catalogue
from films.catalogue.importer import FieldChange
from films.models import Person, Screen, Screening, ScreeningGuest
from tests.conftest import local, one_spelling
from tests.test_catalogue_export import empty_the_database

PROGRAMME = "/en/idfa-2023/programme/"
DAY = "2023-11-12"

AD_EVENING_ACCESS = (
    "Audio description · Captions for the deaf and hard of hearing · Step-free access · 4 wheelchair spaces"
)
AD_EVENING_GUESTS = ["Q&A with Alisa Kovalenko, Katarzyna Kuczyńska", "Introduction by Valery Kalmykov"]
RELAXED_ACCESS = "Sign-language interpretation · Relaxed screening"
RELAXED_GUESTS = ["Introduction and Q&A with Mariia Nesterenko"]


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


def build_day(make_screening, screen):
    """12 November: a relaxed, signed morning with a guest in a screen with steps; a plain afternoon there; an
    audio-described, captioned evening with three guests in a step-free screen with four wheelchair spaces."""
    screen.step_free = True
    screen.wheelchair_spaces = 4
    screen.save()
    steps = Screen.objects.create(
        venue=screen.venue, key="example-cinema-2", name="Example Cinema 2", capacity=80, order=1
    )
    people = {
        key: Person.objects.create(key=key, name=name)
        for key, name in (
            ("alisa-kovalenko", "Alisa Kovalenko"),
            ("valery-kalmykov", "Valery Kalmykov"),
            ("katarzyna-kuczynska", "Katarzyna Kuczyńska"),
            ("mariia-nesterenko", "Mariia Nesterenko"),
        )
    }
    morning = make_screening(
        local(2023, 11, 12, 10), key="relaxed-morning", screen=steps, relaxed=True, sign_language=True
    )
    ScreeningGuest.objects.create(screening=morning, person=people["mariia-nesterenko"], intro=True, qa=True)
    make_screening(local(2023, 11, 12, 14), key="plain-afternoon", screen=steps)
    evening = make_screening(
        local(2023, 11, 12, 19, 15), key="ad-evening", audio_description=True, captions=True, minimum_age=12
    )
    for order, (key, intro, qa) in enumerate(
        [("alisa-kovalenko", False, True), ("valery-kalmykov", True, False), ("katarzyna-kuczynska", False, True)]
    ):
        ScreeningGuest.objects.create(screening=evening, person=people[key], intro=intro, qa=qa, order=order)
    make_screening(local(2023, 11, 13, 10), key="next-day-ad", audio_description=True)
    return people


@pytest.fixture
def day(make_screening, screen):
    return build_day(make_screening, screen)


# Reading the pages ---------------------------------------------------------------


def text(html):
    return unescape(re.sub(r"<[^>]+>", "", html))


def listed(html):
    return re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)"', html)


def item(html, key):
    """What the ``<li>`` of screening ``key`` holds, up to the next screening or the end of the list (programme,
    personal programme, film page)."""
    start = re.search(rf'<li class="screening [^"]*" data-screening="{key}"[^>]*>', html)
    assert start, f"no screening {key}"
    rest = html[start.end() :]
    end = re.search(r'<li class="screening |\n</ol>|\n</ul>', rest)
    return rest[: end.start()] if end else rest


def notes(fragment):
    """``(access text or None, [guest lines])`` of the paragraphs in a programme row, grid cell or personal row."""
    access = re.findall(r'<p class="screening__access">(.*?)</p>', fragment, re.S)
    guests = re.findall(r'<p class="screening__guests [^"]*">(.*?)</p>', fragment, re.S)
    assert len(access) <= 1
    return (text(access[0]) if access else None), [text(line) for line in guests]


def grid_cell(html, iso_start):
    found = re.search(
        rf'<td rowspan="\d+" class="grid__screening[^"]*"><time datetime="{re.escape(iso_start)}">(.*?)</td>',
        html,
        re.S,
    )
    assert found, f"no grid cell at {iso_start}"
    return found.group(1)


def get(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


# The programme: list, grid ----------------------------------------------------------


def test_programme_list_shows_markers_and_guests_as_text(client, day):
    html = get(client, PROGRAMME, day=DAY)
    assert listed(html) == ["relaxed-morning", "plain-afternoon", "ad-evening"]
    assert notes(item(html, "ad-evening")) == (AD_EVENING_ACCESS, AD_EVENING_GUESTS)
    assert notes(item(html, "relaxed-morning")) == (RELAXED_ACCESS, RELAXED_GUESTS)
    assert notes(item(html, "plain-afternoon")) == (None, [])
    evening = item(html, "ad-evening")
    assert (
        '<p class="screening__access"><span class="access access--audio-description">Audio description</span> · '
        '<span class="access access--captions">Captions for the deaf and hard of hearing</span> · '
        '<span class="access access--step-free">Step-free access</span> · '
        '<span class="access access--wheelchair">4 wheelchair spaces</span></p>'
    ) in evening
    assert (
        '<p class="screening__guests screening__guests--qa">Q&amp;A with '
        '<a href="/en/people/alisa-kovalenko/">Alisa Kovalenko</a>, '
        '<a href="/en/people/katarzyna-kuczynska/">Katarzyna Kuczyńska</a></p> '
        '<p class="screening__guests screening__guests--intro">Introduction by '
        '<a href="/en/people/valery-kalmykov/">Valery Kalmykov</a></p>'
    ) in evening


def test_programme_grid_shows_markers_and_guests_as_text(client, day):
    html = get(client, PROGRAMME, day=DAY, view="grid")
    assert notes(grid_cell(html, "2023-11-12T19:15:00+01:00")) == (AD_EVENING_ACCESS, AD_EVENING_GUESTS)
    assert notes(grid_cell(html, "2023-11-12T10:00:00+01:00")) == (RELAXED_ACCESS, RELAXED_GUESTS)
    assert notes(grid_cell(html, "2023-11-12T14:00:00+01:00")) == (None, [])


def test_one_wheelchair_space_is_singular_and_an_online_screening_has_no_screen_markers(client, day, make_screening):
    Screen.objects.filter(key="example-cinema-2").update(wheelchair_spaces=1)
    make_screening(local(2023, 11, 12, 21), key="online-night", screen=None, audience="online", captions=True)
    html = get(client, PROGRAMME, day=DAY)
    assert notes(item(html, "plain-afternoon")) == ("1 wheelchair space", [])
    assert notes(item(html, "online-night")) == ("Captions for the deaf and hard of hearing", [])


# The film page and the personal programme ----------------------------------------------


def test_film_page_shows_markers_and_guests_in_each_screening_line(client, day):
    html = get(client, "/en/films/we-will-not-fade-away/")
    assert listed(html) == ["relaxed-morning", "plain-afternoon", "ad-evening", "next-day-ad"]
    line = text(item(html, "ad-evening"))
    assert (
        " · Example Cinema, Example Cinema 1 · "
        f"{AD_EVENING_ACCESS} · {AD_EVENING_GUESTS[0]} · {AD_EVENING_GUESTS[1]} Add to calendar"
    ) in line
    assert f" · Example Cinema, Example Cinema 2 · {RELAXED_ACCESS} · {RELAXED_GUESTS[0]} Add to calendar" in text(
        item(html, "relaxed-morning")
    )
    assert " · Example Cinema, Example Cinema 2 Add to calendar" in text(item(html, "plain-afternoon"))
    assert (
        '<span class="screening__access"><span class="access access--audio-description">Audio description</span>'
        in item(html, "ad-evening")
    )
    assert (
        '<span class="screening__guests screening__guests--both">Introduction and Q&amp;A with '
        '<a href="/en/people/mariia-nesterenko/">Mariia Nesterenko</a></span>'
    ) in item(html, "relaxed-morning")


def test_personal_programme_shows_markers_and_guests(client, day):
    html = get(client, "/en/my-programme/", edition="idfa-2023", s="ad-evening,relaxed-morning,plain-afternoon")
    assert listed(html) == ["relaxed-morning", "plain-afternoon", "ad-evening"]
    assert notes(item(html, "ad-evening")) == (AD_EVENING_ACCESS, AD_EVENING_GUESTS)
    assert notes(item(html, "relaxed-morning")) == (RELAXED_ACCESS, RELAXED_GUESTS)
    assert notes(item(html, "plain-afternoon")) == (None, [])


def test_guest_names_are_escaped_everywhere(client, day):
    Person.objects.filter(key="alisa-kovalenko").update(name='<script>alert("x")</script>')
    pages = [
        get(client, PROGRAMME, day=DAY),
        get(client, PROGRAMME, day=DAY, view="grid"),
        get(client, "/en/films/we-will-not-fade-away/"),
        get(client, "/en/my-programme/", edition="idfa-2023", s="ad-evening"),
    ]
    for html in map(one_spelling, pages):
        assert "<script>alert" not in html
        assert (
            'Q&amp;A with <a href="/en/people/alisa-kovalenko/">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a>'
            in html
        )


def test_personal_programme_query_count_does_not_grow_with_guests(client, day):
    with CaptureQueriesContext(connection) as one:
        get(client, "/en/my-programme/", edition="idfa-2023", s="plain-afternoon")
    with CaptureQueriesContext(connection) as three:
        get(client, "/en/my-programme/", edition="idfa-2023", s="plain-afternoon,ad-evening,relaxed-morning")
    assert len(one) == len(three)


# The filter ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        ("audio-description", ["ad-evening"]),
        ("captions", ["ad-evening"]),
        ("sign-language", ["relaxed-morning"]),
        ("relaxed", ["relaxed-morning"]),
        ("step-free", ["ad-evening"]),
    ],
)
def test_access_filter_lists_only_screenings_with_the_marker(client, day, access, expected):
    html = get(client, PROGRAMME, day=DAY, access=access)
    assert listed(html) == expected
    assert f'<option value="{access}" selected>' in html
    # Other days keep the filter in their links.
    assert f'href="/en/idfa-2023/programme/?day=2023-11-13&amp;access={access}"' in html


def test_access_filter_combines_with_others_and_ignores_an_unknown_value(client, day):
    assert listed(get(client, PROGRAMME, day=DAY, access="relaxed", venue="example-cinema")) == ["relaxed-morning"]
    assert listed(get(client, PROGRAMME, day=DAY, access="audio-description", view="grid")) == []  # the grid: no list
    assert 'class="grid__screening' in get(client, PROGRAMME, day=DAY, access="audio-description", view="grid")
    assert listed(get(client, PROGRAMME, day=DAY, access="subtitled")) == [
        "relaxed-morning",
        "plain-afternoon",
        "ad-evening",
    ]
    assert listed(get(client, PROGRAMME, day="2023-11-13", access="audio-description")) == ["next-day-ad"]


def test_filter_form_offers_access_with_translated_labels(client, day):
    html = get(client, PROGRAMME, day=DAY)
    assert (
        '<p><label for="f-access">Accessibility</label>\n<select id="f-access" name="access">'
        '<option value="">Any</option>'
        '<option value="audio-description">Audio description</option>'
        '<option value="captions">Captions for the deaf and hard of hearing</option>'
        '<option value="sign-language">Sign-language interpretation</option>'
        '<option value="relaxed">Relaxed screening</option>'
        '<option value="step-free">Step-free access</option></select></p>'
    ) in html
    german = get(client, "/de/idfa-2023/programme/", day=DAY)
    assert '<label for="f-access">Barrierefreiheit</label>' in german


def test_filtered_programme_calendar_holds_only_the_marked_screenings(client, day):
    response = client.get("/en/idfa-2023/programme.ics", {"access": "audio-description"})
    assert response.status_code == 200
    uids = sorted(str(event["UID"]).split("@")[0] for event in Calendar.from_ical(response.content).walk("VEVENT"))
    assert uids == ["idfa-2023-ad-evening", "idfa-2023-next-day-ad"]
    bad = client.get("/en/idfa-2023/programme.ics", {"access": "subtitled"})
    assert bad.status_code == 400


# The calendar -----------------------------------------------------------------------


def description(client, key):
    response = client.get(f"/en/idfa-2023/screenings/{key}.ics")
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    return str(event["DESCRIPTION"])


def test_ics_description_names_markers_and_guests(client, day):
    film = "We Will Not Fade Away: http://testserver/en/films/we-will-not-fade-away/"
    assert description(client, "ad-evening") == "\n".join(
        [
            film,
            "Accessibility: Audio description, Captions for the deaf and hard of hearing, Step-free access, "
            "4 wheelchair spaces",
            *AD_EVENING_GUESTS,
        ]
    )
    assert description(client, "relaxed-morning") == "\n".join(
        [film, "Accessibility: Sign-language interpretation, Relaxed screening", *RELAXED_GUESTS]
    )
    assert description(client, "plain-afternoon") == film


def test_personal_calendar_query_count_does_not_grow_with_guests(client, day):
    with CaptureQueriesContext(connection) as one:
        client.get("/en/idfa-2023/my-programme.ics", {"s": "plain-afternoon"})
    with CaptureQueriesContext(connection) as three:
        response = client.get("/en/idfa-2023/my-programme.ics", {"s": "plain-afternoon,ad-evening,relaxed-morning"})
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 3
    assert len(one) == len(three)


# The JSON API -------------------------------------------------------------------------


def test_json_api_gives_access_and_guests_per_screening(client, day):
    response = client.get("/api/v1/idfa-2023/programme.json")
    assert response.status_code == 200
    screenings = {item["key"]: item for item in response.json()["screenings"]}
    fields = ("access", "step_free", "wheelchair_spaces", "guests")
    assert {name: screenings["ad-evening"][name] for name in fields} == {
        "access": ["audio-description", "captions"],
        "step_free": True,
        "wheelchair_spaces": 4,
        "guests": [
            {"person": "alisa-kovalenko", "name": "Alisa Kovalenko", "intro": False, "qa": True},
            {"person": "valery-kalmykov", "name": "Valery Kalmykov", "intro": True, "qa": False},
            {"person": "katarzyna-kuczynska", "name": "Katarzyna Kuczyńska", "intro": False, "qa": True},
        ],
    }
    assert {name: screenings["relaxed-morning"][name] for name in fields} == {
        "access": ["sign-language", "relaxed"],
        "step_free": False,
        "wheelchair_spaces": 0,
        "guests": [{"person": "mariia-nesterenko", "name": "Mariia Nesterenko", "intro": True, "qa": True}],
    }
    assert {name: screenings["plain-afternoon"][name] for name in fields} == {
        "access": [],
        "step_free": False,
        "wheelchair_spaces": 0,
        "guests": [],
    }


# The catalogue --------------------------------------------------------------------------


def screening_values():
    """What the catalogue carries of access and guests, per screening key, from the database."""
    return {
        screening.key: (
            screening.audio_description,
            screening.captions,
            screening.sign_language,
            screening.relaxed,
            screening.minimum_age,
            screening.screen.key if screening.screen else None,
            screening.screen.step_free if screening.screen else None,
            screening.screen.wheelchair_spaces if screening.screen else None,
            [(guest.person.key, guest.intro, guest.qa) for guest in screening.guests.order_by("order", "id")],
        )
        for screening in Screening.objects.select_related("screen").order_by("key")
    }


def exported_screening(document, key):
    return next(item for item in document["editions"][0]["screenings"] if item["key"] == key)


def exported_screen(document, key):
    return next(
        screen for venue in document["editions"][0]["venues"] for screen in venue["screens"] if screen["key"] == key
    )


def test_catalogue_exports_access_and_guests(day):
    document = export_catalogue(include_embargoed=True)
    evening = exported_screening(document, "ad-evening")
    assert evening["access"] == ["audio-description", "captions"]
    assert evening["minimum_age"] == 12
    assert evening["guests"] == [
        {"person": "alisa-kovalenko", "intro": False, "qa": True},
        {"person": "valery-kalmykov", "intro": True, "qa": False},
        {"person": "katarzyna-kuczynska", "intro": False, "qa": True},
    ]
    assert exported_screening(document, "relaxed-morning")["access"] == ["sign-language", "relaxed"]
    plain = exported_screening(document, "plain-afternoon")
    assert "access" not in plain
    assert "guests" not in plain
    assert "minimum_age" not in plain
    assert exported_screen(document, "example-cinema-1") == {
        "key": "example-cinema-1",
        "name": "Example Cinema 1",
        "capacity": 220,
        "wheelchair_spaces": 4,
        "step_free": True,
    }
    assert "step_free" not in exported_screen(document, "example-cinema-2")
    # Guests credited on no film are exported with the edition they attend.
    one_edition = export_catalogue(["idfa-2023"], include_embargoed=True)
    assert {person["key"] for person in one_edition["people"]} == {
        "alisa-kovalenko",
        "valery-kalmykov",
        "katarzyna-kuczynska",
        "mariia-nesterenko",
    }


def test_catalogue_round_trip_through_an_empty_database_keeps_access_and_guests(day):
    before = screening_values()
    first = export_catalogue(include_embargoed=True)
    empty_the_database()
    assert Screening.objects.count() == ScreeningGuest.objects.count() == Person.objects.count() == 0
    import_catalogue([first])
    assert screening_values() == before
    assert before["ad-evening"] == (
        True,
        True,
        False,
        False,
        12,
        "example-cinema-1",
        True,
        4,
        [("alisa-kovalenko", False, True), ("valery-kalmykov", True, False), ("katarzyna-kuczynska", False, True)],
    )
    assert export_catalogue(include_embargoed=True) == first


def test_catalogue_import_that_leaves_the_fields_out_keeps_them(day):
    before = screening_values()
    document = export_catalogue(include_embargoed=True)
    for screening in document["editions"][0]["screenings"]:
        for name in ("access", "guests", "minimum_age"):
            screening.pop(name, None)
    for venue in document["editions"][0]["venues"]:
        for screen in venue["screens"]:
            screen.pop("step_free", None)
            screen.pop("wheelchair_spaces", None)
    report = import_catalogue([document])
    assert report.changes == []
    assert screening_values() == before


def test_catalogue_import_previews_then_replaces_access_and_guests(day):
    before = screening_values()
    document = export_catalogue(include_embargoed=True)
    evening = exported_screening(document, "ad-evening")
    evening["access"] = ["audio-description"]
    evening["guests"] = [{"person": "alisa-kovalenko", "intro": True, "qa": True}]
    exported_screening(document, "plain-afternoon")["access"] = ["relaxed"]
    morning = exported_screening(document, "relaxed-morning")
    morning["access"] = []
    morning["guests"] = []
    exported_screen(document, "example-cinema-1")["step_free"] = False

    preview = import_catalogue([copy.deepcopy(document)], dry_run=True)
    assert screening_values() == before
    changes = {(change.record, change.field): change for change in preview.changes}
    assert changes == {
        ("screen example-cinema-1", "step_free"): FieldChange(
            "screen", "example-cinema-1", "step_free", "", True, False
        ),
        ("screening idfa-2023/relaxed-morning", "access"): FieldChange(
            "screening", "idfa-2023/relaxed-morning", "access", "", ["sign-language", "relaxed"], []
        ),
        ("screening idfa-2023/relaxed-morning", "guests"): FieldChange(
            "screening", "idfa-2023/relaxed-morning", "guests", "", ["mariia-nesterenko (intro, Q&A)"], []
        ),
        ("screening idfa-2023/plain-afternoon", "access"): FieldChange(
            "screening", "idfa-2023/plain-afternoon", "access", "", [], ["relaxed"]
        ),
        ("screening idfa-2023/ad-evening", "access"): FieldChange(
            "screening", "idfa-2023/ad-evening", "access", "", ["audio-description", "captions"], ["audio-description"]
        ),
        ("screening idfa-2023/ad-evening", "guests"): FieldChange(
            "screening",
            "idfa-2023/ad-evening",
            "guests",
            "",
            ["alisa-kovalenko (Q&A)", "valery-kalmykov (intro)", "katarzyna-kuczynska (Q&A)"],
            ["alisa-kovalenko (intro, Q&A)"],
        ),
    }
    assert changes[("screening idfa-2023/relaxed-morning", "access")].flag == "clears"
    assert changes[("screening idfa-2023/ad-evening", "guests")].flag == "shortens"

    report = import_catalogue([document])
    assert report.fingerprint == preview.fingerprint
    after = screening_values()
    assert after["ad-evening"][:4] == (True, False, False, False)
    assert after["ad-evening"][6] is False
    assert after["ad-evening"][8] == [("alisa-kovalenko", True, True)]
    assert after["relaxed-morning"][:4] == (False, False, False, False)
    assert after["relaxed-morning"][8] == []
    assert after["plain-afternoon"][:4] == (False, False, False, True)
    # Again: nothing left to change.
    assert import_catalogue([document]).changes == []


def test_catalogue_import_names_bad_guests_and_access_with_their_paths(day):
    document = export_catalogue(include_embargoed=True)
    evening = exported_screening(document, "ad-evening")
    index = document["editions"][0]["screenings"].index(evening)
    evening["access"] = ["captions", "captions"]
    evening["guests"] = [
        {"person": "nobody-known", "qa": True},
        {"person": "alisa-kovalenko"},
        {"person": "alisa-kovalenko", "intro": True},
    ]
    with pytest.raises(CatalogueError) as caught:
        import_catalogue([document])
    where = f"editions[0].screenings[{index}]"
    assert caught.value.errors == [
        f'{where}.access[1]: "captions" is listed twice',
        f'{where}.guests[0].person: unknown person "nobody-known": it is neither in the file nor in the database',
        f"{where}.guests[1]: a guest attends for an introduction, a Q&A or both: set intro or qa to true",
        f"{where}.guests[2]: the same person is already a guest at {where}.guests[1]",
    ]
    bad_code = export_catalogue(include_embargoed=True)
    exported_screening(bad_code, "ad-evening")["access"] = ["subtitles"]
    with pytest.raises(CatalogueError) as caught:
        import_catalogue([bad_code])
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith(f"{where}.access[0]: ")


# In the browser --------------------------------------------------------------------------


@pytest.fixture
def live_day(transactional_db, make_screening, screen):
    return build_day(make_screening, screen)


def listed_in(page):
    return page.locator("ol.screenings > li[data-screening]").evaluate_all(
        "items => items.map(item => item.dataset.screening)"
    )


@pytest.mark.browser
def test_a_festival_goer_filters_the_programme_to_audio_described_screenings(page, live_day):
    page.goto(f"{PROGRAMME}?day={DAY}")
    assert listed_in(page) == ["relaxed-morning", "plain-afternoon", "ad-evening"]
    # Two taps: open the filters, choose (the form is sent at once, films/js/filters.js).
    page.locator("details.filters-box summary").click()
    page.locator("#f-access").select_option(label="Audio description")
    page.wait_for_url(re.compile(r"access=audio-description"))
    assert listed_in(page) == ["ad-evening"]
    assert page.locator("#f-access").input_value() == "audio-description"
    evening = page.locator('li[data-screening="ad-evening"]')
    assert evening.locator(".screening__access").inner_text() == AD_EVENING_ACCESS
    assert evening.locator(".access--audio-description").is_visible()
    assert evening.locator(".screening__guests").all_inner_texts() == AD_EVENING_GUESTS
    # The next day keeps the filter.
    page.locator("nav.days a").nth(5).click()
    page.wait_for_url(re.compile(r"day=2023-11-13"))
    assert listed_in(page) == ["next-day-ad"]
