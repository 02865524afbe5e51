"""A screening moved in the admin shows on the next request everywhere the programme goes: the changelog and its
Atom feed, the programme and film pages' notes, a personal calendar subscription (same UID, higher SEQUENCE) and
the frab/c3voc schedule, with the example film (imported from its catalogue file) in all five languages."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import reversion
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from reversion.models import Revision

from films.catalogue import import_catalogue
from films.models import Screening

from .catalogue import EXAMPLE_PATH
from .conftest import saved_days_ago

LANGUAGES = ["en", "uk", "pl", "de", "nl"]
# The example film's title as each language shows it: its own where the catalogue gives one, else English.
TITLES = {"en": "We Will Not Fade Away", "uk": "Ми не згаснемо"}
ATOM = "{http://www.w3.org/2005/Atom}"
KEY = "idfa-2023-wwnfa-1"


@pytest.fixture
def imported(settings):
    """The example catalogue, imported three days ago; the page cache on, as in production."""
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    import_catalogue([EXAMPLE_PATH])
    with reversion.create_revision():
        for screening in Screening.objects.all():
            screening.save()
    Revision.objects.update(date_created=timezone.now() - datetime.timedelta(days=3))
    saved_days_ago()
    yield Screening.objects.get(key=KEY)
    cache.clear()


def title(language):
    return TITLES.get(language, TITLES["en"])


def subscription_path(client, language):
    html = client.get(f"/{language}/my-programme/?edition=idfa-2023&s={KEY}").content.decode()
    [address] = re.findall(r"<code>http://testserver([^<]+)</code>", html)
    return address


def event(client, path):
    [found] = Calendar.from_ical(client.get(path).content).walk("VEVENT")
    return found


def schedule_event(client, language):
    root = ET.fromstring(client.get(f"/api/v1/idfa-2023/schedule.xml?lang={language}").content)  # noqa: S314
    [found] = [item for item in root.iter("event") if item.findtext("slug", "").endswith(KEY)]
    return found


def test_a_move_reaches_every_format_in_every_language(admin_client, client, imported):
    paths = {language: subscription_path(client, language) for language in LANGUAGES}
    before = {language: event(client, paths[language]) for language in LANGUAGES}
    for language in LANGUAGES:
        assert str(before[language]["SUMMARY"]) == title(language)
        found = schedule_event(client, language)
        assert (found.findtext("title"), found.findtext("start")) == (title(language), "19:15")
        assert client.get(f"/{language}/idfa-2023/changes/").status_code == 200

    response = admin_client.post(
        reverse("admin:films_screening_move", args=[imported.pk]),
        {"screen": imported.screen_id, "starts_at": "2023-11-13T21:00", "version": imported.version},
    )
    assert response.status_code == 302

    for language in LANGUAGES:
        # The changelog and its feed.
        page = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/{language}/idfa-2023/changes/").content.decode()).split())
        assert title(language) in page
        feed = ET.fromstring(client.get(f"/{language}/idfa-2023/changes.atom").content)  # noqa: S314
        [entry] = feed.iter(f"{ATOM}entry")
        assert title(language) in entry.find(f"{ATOM}title").text
        # The calendar a visitor subscribed to: the same event, updated.
        moved = event(client, paths[language])
        assert str(moved["UID"]) == str(before[language]["UID"])
        assert int(moved["SEQUENCE"]) == int(before[language]["SEQUENCE"]) + 1
        assert moved["DTSTART"].dt.replace(tzinfo=None) == datetime.datetime(2023, 11, 13, 21, 0)
        assert str(moved["SUMMARY"]) == title(language)
        # The schedule apps' format.
        found = schedule_event(client, language)
        assert (found.findtext("title"), found.findtext("start"), found.findtext("date")[:10]) == (
            title(language),
            "21:00",
            "2023-11-13",
        )
        # The programme and film pages say where it was.
        programme = client.get(f"/{language}/idfa-2023/programme/?day=2023-11-13").content.decode()
        film = client.get(f"/{language}/films/we-will-not-fade-away/").content.decode()
        for html in (programme, film):
            [note] = re.findall(r'class="screening__change screening__change--moved"><strong>([^<]+)</strong>', html)
            assert "19:15" in note
