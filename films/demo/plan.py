"""What the demo is: its keys, days, time zone and sizes, where its current edition lies, and its error."""

import datetime
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from . import words

FESTIVAL_KEY = "demo"
PREFIX = "demo-"
EXAMPLE_FILM_KEY = "we-will-not-fade-away"
EXAMPLE_FILE = Path(__file__).with_name("we-will-not-fade-away.json")
EXAMPLE_SECTION = "panorama"
DAYS = 11
TIMEZONE = "Europe/Berlin"
# By default the current edition is placed so that today, in its time zone, is its third day: the programme
# opens on today, some screenings are over ("hide what has started" has something to hide) and the
# competition's results are still under embargo (announced on the last evening but one).
TODAY_IS_DAY = 3
# Screenings start on a 5-minute grid from 10:00 to 23:30 local time.
EARLIEST_START = 10 * 60
LATEST_START = 23 * 60 + 30
QA_MINUTES = 20


def edition_key(year):
    """The demo edition of ``year``: ``demo-2026``."""
    return f"{PREFIX}{year}"


def tickets_url(key):
    return f"https://tickets.example.org/{key}/"


def default_first_day(now=None):
    """The first day of the current demo edition when no start date is given: today (in the demo's time zone)
    is its day ``TODAY_IS_DAY``."""
    today = timezone.localtime(now or timezone.now(), ZoneInfo(TIMEZONE)).date()
    return today - datetime.timedelta(days=TODAY_IS_DAY - 1)


def years_before(day, years):
    """``day`` ``years`` years earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class DemoError(Exception):
    """The demo cannot be built into this database; the message says why and what to do."""


@dataclass(frozen=True)
class Size:
    venues: list
    sections: list
    features: int
    shorts: int
    # Shares of films the main generator still draws a poster for, and of those a still: what the demo drew
    # before every film had both (from a generator of their own, ``ProgrammeMixin.make_images``), so that the
    # rest of a seed's demo stays the same.
    posters: float
    stills: float


SIZES = {
    "small": Size(
        venues=words.SCREENS_SMALL, sections=words.SMALL_SECTIONS, features=46, shorts=14, posters=1.0, stills=0.5
    ),
    "berlinale": Size(
        venues=words.SCREENS_LARGE,
        sections=[section["key"] for section in words.SECTIONS],
        features=330,
        shorts=120,
        posters=0.25,
        stills=0.2,
    ),
}
