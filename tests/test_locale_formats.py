"""Dates and times as European festivals print them: the 24-hour clock and the day before the month in English too
(a.m./p.m. only when the festival asks for it), and each other language in its own locale's formats."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import formats, translation

from .conftest import local

ROOT = Path(__file__).resolve().parents[1]
MOMENT = datetime.datetime(2026, 2, 13, 14, 5)


@pytest.mark.parametrize(
    ("language", "date", "time", "short"),
    [
        ("en", "13 Feb 2026", "14:05", "13/02/2026 14:05"),
        ("uk", "13 лютого 2026 р.", "14:05", "13.02.2026 14:05"),
        ("de", "13. Februar 2026", "14:05", "13.02.2026 14:05"),
        ("nl", "13 februari 2026", "14:05", "13-2-2026 14:05"),
        ("pl", "13 lutego 2026", "14:05", "13-02-2026  14:05"),
    ],
)
def test_every_language_prints_its_own_dates_and_the_24_hour_clock(language, date, time, short):
    with translation.override(language):
        assert formats.date_format(MOMENT, "DATE_FORMAT") == date
        assert formats.time_format(MOMENT.time(), "TIME_FORMAT") == time
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short


def test_english_dates_read_day_before_month():
    with translation.override("en"):
        assert "%d/%m/%Y" in formats.get_format("DATE_INPUT_FORMATS")
        assert "%m/%d/%Y" not in formats.get_format("DATE_INPUT_FORMATS")


@pytest.mark.parametrize(
    "url",
    [
        "/en/idfa-2023/programme/?day=2023-11-12",
        "/en/idfa-2023/programme/?day=2023-11-12&view=grid",
        "/en/films/we-will-not-fade-away/",
        "/en/my-programme/?edition=idfa-2023&s=evening,late",
    ],
)
def test_no_english_page_prints_a_m_or_p_m(client, make_screening, url):
    make_screening(local(2023, 11, 12, 19, 15), key="evening")
    make_screening(local(2023, 11, 12, 23, 30), key="late", minutes=45)
    html = client.get(url).content.decode()
    assert "19:15" in html
    assert "23:30" in html
    for twelve_hour in ("a.m.", "p.m.", "midnight", "noon"):
        assert twelve_hour not in html


def test_the_admin_speaks_24_hours_too(admin_client, make_screening):
    screening = make_screening(local(2023, 11, 12, 19, 15), key="evening")
    html = admin_client.get("/admin/films/screening/").content.decode()
    assert "p.m." not in html
    html = admin_client.get(f"/admin/films/screening/{screening.pk}/change/").content.decode()
    assert "p.m." not in html


def test_a_festival_may_ask_for_the_twelve_hour_clock_in_english():
    """``FESTIVAL_TWELVE_HOUR_CLOCK=true`` brings back Django's English formats (read when the site starts)."""
    script = (
        "import datetime; from django.utils import formats, translation; translation.activate('en'); "
        "moment = datetime.datetime(2026, 2, 13, 14, 5); "
        "print(formats.date_format(moment, 'DATE_FORMAT'), '|', formats.time_format(moment.time(), 'TIME_FORMAT'))"
    )
    environment = {**os.environ, "DEBUG": "true"}
    environment.pop("DATABASE_URL", None)
    outputs = {}
    for value in ("true", "false"):
        environment["FESTIVAL_TWELVE_HOUR_CLOCK"] = value
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs[value] = result.stdout.strip().splitlines()[-1]
    assert outputs == {"true": "Feb. 13, 2026 | 2:05 p.m.", "false": "13 Feb 2026 | 14:05"}
