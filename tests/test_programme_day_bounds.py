"""A programme day runs from midnight to midnight in the edition's own time zone, east or west of UTC.

A screening at 23:30 local time on the 12th belongs to the 12th (in Kyiv that is 21:30 UTC the same day, in
Toronto 04:30 UTC the next day); one at 00:00 or 00:30 local time on the 13th belongs to the 13th (in Kyiv
22:00/22:30 UTC on the 12th). Every place that cuts the programme into days holds to it: the programme page
(unfiltered, filtered, as a grid), the home page's day, the calendar of a day, the personal programme's days,
the admin's schedule board, and the rule that a screening starts within its edition's dates.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from films.models import Edition, Festival, Film, Screen, Screening, ScreeningFilm, Section, Venue

ZONES = {
    # zone: (edition key, offset in November, UTC days of 23:30 on the 12th and of 00:00 on the 13th)
    "Europe/Kyiv": ("kyiv-2023", "+02:00", (12, 12)),  # east: local midnight is the evening before in UTC
    "America/Toronto": ("toronto-2023", "-05:00", (13, 13)),  # west: a late show is the next day in UTC
}
# Local (hour, minute, day): each screening is 15 minutes; the screen needs 10 minutes after it.
TIMES = {
    "first-minutes": (12, 0, 10),
    "evening": (12, 20, 0),
    "late": (12, 23, 30),
    "midnight": (13, 0, 0),
    "after-midnight": (13, 0, 30),
}
DAY_12 = ["first-minutes", "evening", "late"]
DAY_13 = ["midnight", "after-midnight"]


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture(params=list(ZONES))
def zoned(request, db):
    """A published edition in ``request.param`` (8–19 November 2023) with the screenings of ``TIMES``."""
    zone = request.param
    key, offset, utc_days = ZONES[zone]
    festival = Festival.objects.create(key="festival", name="Festival")
    edition = Edition.objects.create(
        festival=festival,
        key=key,
        year=2023,
        name=f"Edition in {zone}",
        start_date=datetime.date(2023, 11, 8),
        end_date=datetime.date(2023, 11, 19),
        timezone=zone,
        published=True,
    )
    section = Section.objects.create(edition=edition, key="main", name="Main", published=True)
    venue = Venue.objects.create(key="cinema", name="Cinema")
    screen = Screen.objects.create(venue=venue, key="cinema-1", name="Cinema 1", changeover_minutes=10)
    tz = ZoneInfo(zone)
    for screening_key, (day, hour, minute) in TIMES.items():
        film = Film.objects.create(key=f"film-{screening_key}", title=f"Film {screening_key}", published=True)
        starts = datetime.datetime(2023, 11, day, hour, minute, tzinfo=tz)
        screening = Screening(
            edition=edition,
            key=screening_key,
            screen=screen,
            section=section,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=15),
            published=True,
        )
        screening.full_clean()
        screening.save()
        ScreeningFilm.objects.create(screening=screening, film=film)
    edition.offset = offset
    edition.utc_days = utc_days
    edition.tz = tz
    return edition


def listed(response):
    assert response.status_code == 200
    return re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)"', response.content.decode())


def test_the_stored_moments_are_on_other_utc_days_than_the_local_ones(zoned):
    late = Screening.objects.get(key="late").starts_at.astimezone(datetime.UTC)
    midnight = Screening.objects.get(key="midnight").starts_at.astimezone(datetime.UTC)
    assert (late.day, midnight.day) == zoned.utc_days


@pytest.mark.parametrize("filters", ["", "&section=main", "&venue=cinema"])
def test_programme_day_runs_midnight_to_midnight_in_the_editions_zone(client, zoned, filters):
    url = f"/en/{zoned.key}/programme/?day=2023-11-%s{filters}"
    assert listed(client.get(url % "11")) == []
    assert listed(client.get(url % "12")) == DAY_12
    assert listed(client.get(url % "13")) == DAY_13
    html = client.get(url % "12").content.decode()
    assert f'<time datetime="2023-11-12T23:30:00{zoned.offset}">23:30</time>' in html
    assert f'<time datetime="2023-11-12T00:10:00{zoned.offset}">00:10</time>' in html


def test_programme_grid_places_the_day_in_the_editions_zone(client, zoned):
    def starts(day):
        html = client.get(f"/en/{zoned.key}/programme/?day=2023-11-{day}&view=grid").content.decode()
        return re.findall(r'<td rowspan="\d+" class="grid__screening[^"]*"><time datetime="([^"]+)">', html)

    assert starts(12) == [f"2023-11-12T{time}:00{zoned.offset}" for time in ("00:10", "20:00", "23:30")]
    assert starts(13) == [f"2023-11-13T{time}:00{zoned.offset}" for time in ("00:00", "00:30")]


@pytest.mark.parametrize(
    ("local_now", "day", "keys"),
    [((12, 23, 40), "12", DAY_12), ((13, 0, 5), "13", DAY_13), ((12, 0, 5), "12", DAY_12)],
)
def test_home_page_shows_today_in_the_editions_zone(client, zoned, monkeypatch, local_now, day, keys):
    day_of_month, hour, minute = local_now
    now = datetime.datetime(2023, 11, day_of_month, hour, minute, tzinfo=zoned.tz).astimezone(datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    response = client.get("/en/")
    assert listed(response) == keys
    assert '<h2 id="day-heading">Today</h2>' in response.content.decode()
    programme = client.get(f"/en/{zoned.key}/programme/")
    assert listed(programme) == keys
    assert f'<input type="hidden" name="day" value="2023-11-{day}">' in programme.content.decode()


def test_calendar_of_a_day_holds_that_local_day(client, zoned):
    def uids(day):
        response = client.get(f"/en/{zoned.key}/programme.ics?day=2023-11-{day}")
        assert response.status_code == 200
        return [str(event["UID"]).split("@")[0] for event in Calendar.from_ical(response.content).walk("VEVENT")]

    assert uids(12) == [f"{zoned.key}-{key}" for key in DAY_12]
    assert uids(13) == [f"{zoned.key}-{key}" for key in DAY_13]


def test_personal_programme_groups_by_local_day(client, zoned):
    html = client.get(f"/en/my-programme/?edition={zoned.key}&s={','.join(TIMES)}").content.decode()
    days = re.findall(r'<h2 id="day-([0-9-]+)">', html)
    assert days == ["2023-11-12", "2023-11-13"]
    sections = html.split('<section class="personal-day"')[1:]
    listed = [re.findall(r'<li class="screening[^"]*" data-screening="([^"]+)"', section) for section in sections]
    assert listed == [DAY_12, DAY_13]


def test_board_shows_the_local_day(admin_client, zoned):
    def keys(day):
        html = admin_client.get("/admin/films/screening/board/", {"edition": zoned.key, "day": f"2023-11-{day}"})
        return re.findall(r'data-column="\d+" data-screening="([^"]+)"', html.content.decode())

    assert keys(12) == DAY_12
    assert keys(13) == DAY_13


def test_film_page_dates_a_late_screening_by_its_local_day(client, zoned):
    html = client.get("/en/films/film-late/").content.decode()
    assert f'<time datetime="2023-11-12T23:30:00{zoned.offset}">12 Nov 2023, 23:30–23:45</time>' in html
    html = client.get("/en/films/film-midnight/").content.decode()
    assert f'<time datetime="2023-11-13T00:00:00{zoned.offset}">13 Nov 2023, 00:00–00:15</time>' in html


def edge(edition, day, hour, minute):
    """A screening starting at the local time given, as the database and forms hand it over: in UTC."""
    starts = datetime.datetime(2023, 11, day, hour, minute, tzinfo=edition.tz).astimezone(datetime.UTC)
    return Screening(
        edition=edition,
        key="edge",
        screen=Screen.objects.get(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=15),
    )


@pytest.mark.parametrize(("day", "hour", "minute"), [(8, 0, 0), (19, 23, 30), (19, 23, 59)])
def test_a_screening_on_the_first_or_last_local_day_is_within_the_edition(zoned, day, hour, minute):
    edge(zoned, day, hour, minute).full_clean()


@pytest.mark.parametrize(("day", "hour", "minute"), [(7, 23, 59), (20, 0, 0), (20, 0, 30)])
def test_a_screening_on_the_local_day_before_or_after_is_outside_the_edition(zoned, day, hour, minute):
    with pytest.raises(ValidationError) as error:
        edge(zoned, day, hour, minute).full_clean()
    assert error.value.message_dict["starts_at"] == [
        f"The screening starts on 2023-11-{day:02d} ({zoned.timezone}), outside Edition in {zoned.timezone}, "
        "which runs from 2023-11-08 to 2023-11-19."
    ]
