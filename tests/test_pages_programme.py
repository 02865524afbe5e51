"""The programme page: a day at a time, as a list or a grid, filters that combine, garbage that never breaks it."""

import datetime
import re

import pytest

from films.models import Film, Person, Screen, Screening, ScreeningGuest, Section, Selection, Venue
from tests.conftest import local, saved_days_ago

URL = "/en/idfa-2023/programme/"


def keys(response):
    """The keys of the screenings listed, in order."""
    return re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)"', response.content.decode())


@pytest.fixture
def programme(edition, section, screen, film, make_screening):
    """A day with a documentary from Ukraine and a Polish fiction for adults in two venues, plus a shorts programme."""
    film.countries = ["UA", "FR"]
    film.form = "documentary"
    film.minimum_age = 12
    film.save()
    fiction = Film.objects.create(
        key="fiction", title="A Fiction", countries=["PL"], form="fiction", minimum_age=18, published=True
    )
    short_a = Film.objects.create(key="short-a", title="Short A", published=True)
    short_b = Film.objects.create(key="short-b", title="Short B", published=True)
    other_venue = Venue.objects.create(key="other-cinema", name="Other Cinema")
    other_screen = Screen.objects.create(venue=other_venue, key="other-1", name="Other 1", changeover_minutes=0)
    shorts = Section.objects.create(edition=edition, key="shorts", name="Shorts", published=True, order=1)
    Selection.objects.create(section=section, film=film, premiere="world")
    make_screening(local(2023, 11, 12, 19, 15), key="doc-evening", subtitles=["en", "nl"])
    make_screening(
        local(2023, 11, 12, 14, 0),
        key="fiction-afternoon",
        films=[fiction],
        screen=other_screen,
        subtitles=["en"],
        status="sold-out",
    )
    make_screening(
        local(2023, 11, 12, 10, 0),
        key="shorts-morning",
        films=[short_b, short_a],
        section=shorts,
        audience="press",
        status="cancelled",
    )
    make_screening(local(2023, 11, 13, 10, 0), key="next-day")
    return edition


def test_programme_lists_the_day_in_time_order_with_local_times(client, programme):
    response = client.get(URL, {"day": "2023-11-12"})
    assert keys(response) == ["shorts-morning", "fiction-afternoon", "doc-evening"]
    html = response.content.decode()
    assert '<time datetime="2023-11-12T19:15:00+01:00">19:15</time>–<time datetime="2023-11-12T20:55:00+01:00">' in html
    assert (
        '<a href="/en/films/we-will-not-fade-away/">We Will Not Fade Away</a> '
        '<span class="premiere">World premiere</span>' in html
    )
    assert "Subtitles: English, Dutch" in html
    assert '<a href="/en/venues/example-cinema/">Example Cinema</a>, Example Cinema 1' in html
    assert '<p class="status status--sold-out"><strong>Sold out</strong></p>' in html
    assert '<p class="status status--cancelled"><strong>Cancelled</strong></p>' in html
    # A shorts programme lists its films in running order.
    assert (
        '<li><span class="screening__image picture--none"></span><a href="/en/films/short-b/">Short B</a></li>'
        '<li><span class="screening__image picture--none"></span><a href="/en/films/short-a/">Short A</a></li>'
    ) in html


def test_programme_shows_times_in_each_locales_format(client, programme):
    html = client.get("/nl/idfa-2023/programme/", {"day": "2023-11-12"}).content.decode()
    assert '<time datetime="2023-11-12T19:15:00+01:00">19:15</time>' in html


def test_programme_defaults_to_first_day_outside_the_edition(client, programme):
    response = client.get(URL)
    assert keys(response) == []
    assert '<a href="/en/idfa-2023/programme/?day=2023-11-08" aria-current="date">' in response.content.decode()


def test_programme_defaults_to_today_during_the_edition(client, programme, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 23, 30, tzinfo=datetime.UTC))
    # 23:30 UTC is already 13 November in Amsterdam.
    assert keys(client.get(URL)) == ["next-day"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"section": "shorts"}, ["shorts-morning"]),
        ({"venue": "other-cinema"}, ["fiction-afternoon"]),
        ({"subtitles": "nl"}, ["doc-evening"]),
        ({"subtitles": "en"}, ["fiction-afternoon", "doc-evening"]),
        ({"audience": "press"}, ["shorts-morning"]),
        ({"form": "fiction"}, ["fiction-afternoon"]),
        ({"country": "FR"}, ["doc-evening"]),
        ({"country": "PL"}, ["fiction-afternoon"]),
        ({"age": "12"}, ["shorts-morning", "doc-evening"]),
        ({"age": "11"}, ["shorts-morning"]),
        ({"subtitles": "en", "form": "documentary"}, ["doc-evening"]),
        ({"subtitles": "en", "venue": "example-cinema", "age": "18"}, ["doc-evening"]),
        ({"section": "shorts", "venue": "other-cinema"}, []),
    ],
)
def test_programme_filters_combine(client, programme, query, expected):
    assert keys(client.get(URL, {"day": "2023-11-12", **query})) == expected


def test_programme_hides_what_has_started(client, programme, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 13, 30, tzinfo=datetime.UTC))
    assert keys(client.get(URL, {"day": "2023-11-12", "started": "hide"})) == ["doc-evening"]
    assert keys(client.get(URL, {"day": "2023-11-12"})) == ["shorts-morning", "fiction-afternoon", "doc-evening"]


def test_programme_form_keeps_chosen_filters_and_labels_every_control(client, programme):
    html = client.get(
        URL, {"day": "2023-11-12", "venue": "other-cinema", "age": "12", "started": "hide"}
    ).content.decode()
    assert '<option value="other-cinema" selected>Other Cinema</option>' in html
    assert 'name="age" type="number" min="0" max="99" inputmode="numeric" value="12"' in html
    assert 'name="started" value="hide" checked' in html
    for control in ("f-section", "f-venue", "f-subtitles", "f-audience", "f-form", "f-country", "f-age", "f-started"):
        assert f'<label for="{control}">' in html
    # Day links keep the other filters.
    assert 'href="/en/idfa-2023/programme/?day=2023-11-13&amp;venue=other-cinema&amp;age=12&amp;started=hide"' in html
    # Options list only what the edition has.
    assert '<option value="PL">Poland</option>' in html
    assert '<option value="nl">Dutch</option>' in html


GARBAGE = [
    "2023-13-45",
    "x" * 5000,
    "' OR 1=1 --",
    "1; DROP TABLE films_film",
    "%00",
    "\x00",
    "-1",
    "99999999999999999999",
    "<script>alert(1)</script>",
    "ми не",
]


@pytest.mark.parametrize(
    "name", ["day", "view", "section", "venue", "subtitles", "audience", "form", "country", "age", "started", "unknown"]
)
@pytest.mark.parametrize("value", GARBAGE)
def test_programme_ignores_garbage_filters(client, programme, name, value):
    response = client.get(URL, {"day": "2023-11-12", name: value} if name != "day" else {"day": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    if name == "day":
        # Not a day of the edition: the default day (the first, the edition being over), which has no screenings.
        assert 'aria-current="date">Wed 8 Nov</a>' in html
        assert keys(response) == []
    else:
        assert 'aria-current="date">Sun 12 Nov</a>' in html
        assert keys(response) == ["shorts-morning", "fiction-afternoon", "doc-evening"]


def test_programme_ignores_a_day_outside_the_edition(client, programme):
    response = client.get(URL, {"day": "2024-01-01"})
    assert response.status_code == 200
    assert keys(response) == []
    assert 'aria-current="date">Wed 8 Nov' in response.content.decode()


def test_programme_hides_drafts(client, programme, edition, film, make_screening):
    make_screening(local(2023, 11, 12, 8, 0), key="draft-screening", published=False)
    draft_film = Film.objects.create(key="draft-film", title="Draft film", published=False)
    make_screening(local(2023, 11, 12, 22, 0), key="draft-film-screening", films=[draft_film])
    hidden_section = Section.objects.create(edition=edition, key="hidden", name="Hidden section", published=False)
    make_screening(local(2023, 11, 12, 12, 0), key="hidden-section-screening", section=hidden_section)
    response = client.get(URL, {"day": "2023-11-12"})
    assert keys(response) == ["shorts-morning", "fiction-afternoon", "doc-evening"]
    assert "Hidden section" not in response.content.decode()
    assert "Draft film" not in response.content.decode()


def test_programme_of_unpublished_edition_is_404(client, programme):
    programme.published = False
    programme.save()
    assert client.get(URL).status_code == 404
    assert client.get("/en/no-such-edition/programme/").status_code == 404


def test_programme_grid_puts_screens_across_and_time_down(client, programme):
    html = client.get(URL, {"day": "2023-11-12", "view": "grid"}).content.decode()
    assert '<th scope="col">Example Cinema<br>Example Cinema 1</th><th scope="col">Other Cinema<br>Other 1</th>' in html
    # 19:15 for 100 minutes spans seven quarter hours (19:15 to 21:00).
    assert (
        '<td rowspan="7" class="grid__screening screening--scheduled section-idfa-2023-best-of-fests">'
        '<time datetime="2023-11-12T19:15:00+01:00">' in html
    )
    # Each cell carries its section's colour class: the shorts programme's too.
    assert '<td rowspan="7" class="grid__screening screening--cancelled section-idfa-2023-shorts">' in html
    assert '<tr class="grid__hour"><th scope="row">10:00</th>' in html
    assert 'href="/en/idfa-2023/programme/?day=2023-11-12&amp;view=list"' in html


def test_programme_print_stylesheet_is_linked(client, programme):
    assert (
        '<link rel="stylesheet" href="/static/films/css/print.css" media="print">' in client.get(URL).content.decode()
    )


def make_day(edition, section, screen, count):
    """``count`` screenings of distinct films on 12 November, every two hours from 8:00 in screens of their own,
    each with a guest for a Q&A."""
    for index in range(count):
        film = Film.objects.create(key=f"film-{index}", title=f"Film {index}", published=True)
        Selection.objects.create(section=section, film=film, premiere="world")
        own = Screen.objects.create(venue=screen.venue, key=f"screen-{index}", name=f"Screen {index}")
        screening = Screening(
            edition=edition,
            section=section,
            screen=own,
            key=f"many-{index}",
            starts_at=local(2023, 11, 12, 8 + index % 14),
            ends_at=local(2023, 11, 12, 8 + index % 14) + datetime.timedelta(minutes=90),
            subtitles=["en"],
            published=True,
        )
        screening.save()
        screening.screening_films.create(film=film)
        guest = Person.objects.create(key=f"guest-{index}", name=f"Guest {index}")
        ScreeningGuest.objects.create(screening=screening, person=guest, qa=True)


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("view", ["list", "grid"])
def test_programme_query_count_does_not_grow(client, edition, section, screen, count, view, django_assert_num_queries):
    make_day(edition, section, screen, count)
    saved_days_ago()
    # The edition, venue and country options, sections, the filtered day's screenings, their films, their guests.
    with django_assert_num_queries(7):
        response = client.get(URL, {"day": "2023-11-12", "view": view, "subtitles": "en", "age": "16"})
    assert len(keys(response)) == count or view == "grid"


def test_chosen_filters_show_as_chips_each_removing_itself_and_keeping_the_others(client, programme):
    html = client.get(URL, {"day": "2023-11-12", "venue": "other-cinema", "subtitles": "nl", "started": "hide"})
    html = html.content.decode()
    # The disclosure's summary counts them; closed by default, so the first screening shows on a phone.
    assert '<details class="filters-box">\n<summary>Filters <span class="filters-box__count">3</span></summary>' in html
    assert (
        '<ul class="chips" aria-label="Filters chosen">\n'
        '<li><a class="chip" href="/en/idfa-2023/programme/?day=2023-11-12&amp;subtitles=nl&amp;started=hide">'
        '<span class="visually-hidden">Remove the filter </span>Venue: Other Cinema'
        '<span class="chip__remove" aria-hidden="true">×</span></a></li>\n'
        '<li><a class="chip" href="/en/idfa-2023/programme/?day=2023-11-12&amp;venue=other-cinema&amp;started=hide">'
        '<span class="visually-hidden">Remove the filter </span>Subtitles: Dutch'
        '<span class="chip__remove" aria-hidden="true">×</span></a></li>\n'
        '<li><a class="chip" href="/en/idfa-2023/programme/?day=2023-11-12&amp;venue=other-cinema&amp;subtitles=nl">'
        '<span class="visually-hidden">Remove the filter </span>Hide what has started: Hidden'
        '<span class="chip__remove" aria-hidden="true">×</span></a></li>\n'
        '<li><a class="chip chip--clear" href="/en/idfa-2023/programme/?day=2023-11-12">Clear filters</a></li>\n</ul>'
    ) in html


def test_no_filter_chosen_shows_no_chips_and_no_count(client, programme):
    html = client.get(URL, {"day": "2023-11-12"}).content.decode()
    assert '<details class="filters-box">\n<summary>Filters</summary>' in html
    assert 'class="chips"' not in html
    # A value the form refuses is no chip either.
    assert 'class="chips"' not in client.get(URL, {"day": "2023-11-12", "venue": "nowhere"}).content.decode()
