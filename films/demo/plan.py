"""What the demo edition is: its keys, days, time zone and sizes, and the error it raises."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from . import words

FESTIVAL_KEY = "demo"
EDITION_KEY = "demo-2026"
PREFIX = "demo-"
EXAMPLE_FILM_KEY = "we-will-not-fade-away"
EXAMPLE_FILE = Path(__file__).with_name("we-will-not-fade-away.json")
EXAMPLE_SECTION = "panorama"
FIRST_DAY = datetime.date(2026, 2, 12)
DAYS = 11
TIMEZONE = "Europe/Berlin"
# Screenings start on a 5-minute grid from 10:00 to 23:30 local time.
EARLIEST_START = 10 * 60
LATEST_START = 23 * 60 + 30
QA_MINUTES = 20
TICKETS = "https://tickets.example.org/demo-2026/"


class DemoError(Exception):
    """The demo cannot be built into this database; the message says why and what to do."""


@dataclass(frozen=True)
class Size:
    venues: list
    sections: list
    features: int
    shorts: int
    # Share of films that get a poster, and of those the share that get a still as well.
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
