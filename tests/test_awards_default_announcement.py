"""Results with no announcement time become public at the end of the edition's last day, in its time zone.

The rule (films/models/festival.py): a competition's own announcement time, else its edition's, else midnight at
the start of the day after the edition's last day, local time. It holds on every public channel (palmarès, award
page, film page and its JSON-LD, sitemap, the catalogue export) and in the page cache's schedule.
"""

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone, translation

from films import cache as page_cache
from films.catalogue import export_catalogue, import_catalogue
from films.models import Award, AwardResult, Edition, Section, Selection
from films.models.festival import announcement_time
from tests.sitemaps import sitemap_text

UTC = datetime.UTC
EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"

# Toronto 2026 ends on Wed 4 Nov (after DST ended on 1 Nov: EST, −5): public from 5 Nov 00:00 EST = 05:00 UTC.
# Kyiv 2026 ends on Wed 28 Oct (after DST ended on 25 Oct: EET, +2): public from 29 Oct 00:00 EET = 28 Oct 22:00 UTC.
EDITIONS = {
    "toronto": ("America/Toronto", datetime.date(2026, 10, 28), datetime.date(2026, 11, 4)),
    "kyiv": ("Europe/Kyiv", datetime.date(2026, 10, 21), datetime.date(2026, 10, 28)),
}
END_OF_LAST_DAY = {
    "toronto": datetime.datetime(2026, 11, 5, 5, 0, tzinfo=UTC),
    "kyiv": datetime.datetime(2026, 10, 28, 22, 0, tzinfo=UTC),
}
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    with translation.override("en"):
        yield


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def make_edition(festival, key, **fields):
    zone, start, end = EDITIONS[key]
    return Edition.objects.create(
        festival=festival,
        key=f"{key}-{start.year}",
        year=start.year,
        name=f"{key.title()} {start.year}",
        start_date=start,
        end_date=end,
        timezone=zone,
        published=True,
        **fields,
    )


def make_winner(edition, film, *, award_key="best-film", **section_fields):
    section = Section.objects.create(
        edition=edition,
        key="competition",
        name="Competition",
        competitive=True,
        published=True,
        jury_statement="We were moved.",
        **section_fields,
    )
    Selection.objects.create(section=section, film=film)
    award = Award.objects.create(edition=edition, section=section, key=award_key, name="Best Film")
    return AwardResult.objects.create(award=award, film=film, citation="For courage.")


def visible(client, edition):
    """Where the winner shows: each public channel, and the export."""
    film_html = client.get(f"/en/films/{AwardResult.objects.get().film.key}/").content.decode()
    palmares = client.get(f"/en/{edition.key}/awards/").content.decode()
    award_page = client.get("/en/awards/best-film/")
    [exported] = export_catalogue(edition_keys=[edition.key])["editions"]
    return {
        "palmares": "For courage." in palmares,
        "jury statement": "We were moved." in palmares,
        "film": "For courage." in film_html,
        "jsonld": "Best Film" in film_html.split('application/ld+json">')[1].split("</script>")[0],
        "award page": award_page.status_code == 200 and "For courage." in award_page.content.decode(),
        "sitemap": "/awards/best-film/" in sitemap_text(client),
        "export": "winners" in exported["awards"][0],
    }


NOWHERE = dict.fromkeys(("palmares", "jury statement", "film", "jsonld", "award page", "sitemap", "export"), False)
EVERYWHERE = dict.fromkeys(NOWHERE, True)


@pytest.mark.parametrize("key", ["toronto", "kyiv"])
def test_without_announcement_time_results_are_public_from_the_end_of_the_last_day_local_time(
    client, at, festival, film, key
):
    edition = make_edition(festival, key)
    make_winner(edition, film)
    assert edition.last_day_ends_at == END_OF_LAST_DAY[key]
    at(END_OF_LAST_DAY[key] - MINUTE)
    assert visible(client, edition) == NOWHERE
    assert "Still to be announced" in client.get(f"/en/{edition.key}/awards/").content.decode()
    at(END_OF_LAST_DAY[key])
    assert visible(client, edition) == EVERYWHERE
    assert "Still to be announced" not in client.get(f"/en/{edition.key}/awards/").content.decode()


@pytest.mark.parametrize(
    ("key", "edition_time", "section_time"),
    [
        # 18:00 on the last Saturday before each DST change, and 18:00 on a day after it.
        (
            "toronto",
            datetime.datetime(2026, 11, 3, 23, 0, tzinfo=UTC),
            datetime.datetime(2026, 10, 31, 22, 0, tzinfo=UTC),
        ),
        (
            "kyiv",
            datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC),
            datetime.datetime(2026, 10, 24, 15, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_competitions_own_time_comes_first_then_the_editions_then_the_end_of_the_last_day(
    client, at, festival, film, key, edition_time, section_time
):
    edition = make_edition(festival, key, results_announced_at=edition_time)
    result = make_winner(edition, film, results_announced_at=section_time)
    section = result.award.section
    assert (section.announcement_time, section.announcement_source) == (section_time, "section")
    at(section_time - MINUTE)
    assert visible(client, edition) == NOWHERE
    at(section_time)
    assert visible(client, edition) == EVERYWHERE

    Section.objects.update(results_announced_at=None)
    section.refresh_from_db()
    assert (section.announcement_time, section.announcement_source) == (edition_time, "edition")
    at(edition_time - MINUTE)
    assert visible(client, edition) == NOWHERE
    at(edition_time)
    assert visible(client, edition) == EVERYWHERE

    Edition.objects.update(results_announced_at=None)
    section = Section.objects.select_related("edition").get()
    assert (section.announcement_time, section.announcement_source) == (END_OF_LAST_DAY[key], "last-day")


def test_an_edition_time_after_the_last_day_still_holds_the_results_back(client, at, festival, film):
    """The end of the last day is the default only: an announcement set later than it is kept."""
    later = datetime.datetime(2026, 11, 10, 23, 0, tzinfo=UTC)
    edition = make_edition(festival, "toronto", results_announced_at=later)
    make_winner(edition, film)
    at(later - MINUTE)
    assert visible(client, edition) == NOWHERE


def test_an_archive_edition_imported_with_its_results_and_no_announcement_time_shows_its_palmares(client, db):
    """IDFA 2023 (ended 19 Nov 2023) imported from the exchange format with its winners."""
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    edition = copy.deepcopy(document["editions"][0])
    edition["sections"].append(
        {
            "key": "competition",
            "name": {"en": "Competition"},
            "competitive": True,
            "published": True,
            "selections": [{"film": "we-will-not-fade-away"}],
        }
    )
    edition["awards"] = [
        {
            "key": "best-film",
            "section": "competition",
            "name": {"en": "Best Film"},
            "winners": [{"film": "we-will-not-fade-away", "kind": "winner", "citation": {"en": "For courage."}}],
        }
    ]
    document["editions"] = [edition]
    import_catalogue([document])
    imported = Edition.objects.get(key="idfa-2023")
    assert imported.results_announced_at is None
    assert Section.objects.get(key="competition").results_announced_at is None
    html = client.get("/en/idfa-2023/awards/").content.decode()
    assert "For courage." in html
    assert "Still to be announced" not in html
    assert "No awards have been announced." not in html


def test_a_current_edition_without_announcement_time_still_hides_its_results(client, festival, film):
    today = timezone.localdate()
    edition = Edition.objects.create(
        festival=festival,
        key="current",
        year=today.year,
        name="Current",
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=2),
        timezone="America/Toronto",
        published=True,
    )
    make_winner(edition, film)
    html = client.get("/en/current/awards/").content.decode()
    assert "For courage." not in html
    assert "Still to be announced" in html
    assert list(AwardResult.objects.public()) == []


# The rule as a query agrees with the rule in Python, in every kind of zone ----------------------------------


ZONES = [
    "Pacific/Kiritimati",  # +14
    "Pacific/Chatham",  # +12:45/+13:45
    "Asia/Kathmandu",  # +5:45
    "Europe/Kyiv",
    "UTC",
    "America/St_Johns",  # −3:30/−2:30
    "America/Toronto",
    "Pacific/Pago_Pago",  # −11
]


def test_the_query_and_the_python_rule_agree_in_every_zone_around_every_midnight(festival, film):
    end = datetime.date(2026, 10, 31)
    editions = {}
    for index, zone in enumerate(ZONES):
        editions[zone] = Edition.objects.create(
            festival=festival,
            key=f"e{index}",
            year=2026,
            name=zone,
            start_date=end,
            end_date=end,
            timezone=zone,
        )
        make_winner(editions[zone], film, award_key=f"a{index}")
    # Every quarter of an hour from 31 Oct 08:00 UTC to 1 Nov 14:00 UTC: each zone's midnight is in there.
    moment = datetime.datetime(2026, 10, 31, 8, 0, tzinfo=UTC)
    seen = set()
    while moment <= datetime.datetime(2026, 11, 1, 14, 0, tzinfo=UTC):
        public = set(AwardResult.objects.announced(moment).values_list("award__edition__timezone", flat=True))
        expected = {zone for zone, edition in editions.items() if announcement_time(None, edition) <= moment}
        assert public == expected, moment
        seen.add(len(public))
        moment += datetime.timedelta(minutes=15)
    assert seen == set(range(len(ZONES) + 1))  # Each zone's results went public at a moment of its own.
    assert editions["Pacific/Kiritimati"].last_day_ends_at == datetime.datetime(2026, 10, 31, 10, 0, tzinfo=UTC)
    assert editions["Pacific/Pago_Pago"].last_day_ends_at == datetime.datetime(2026, 11, 1, 11, 0, tzinfo=UTC)


def test_the_page_cache_expects_the_end_of_the_last_day(festival, film):
    edition = make_edition(festival, "kyiv")
    make_winner(edition, film)
    before = END_OF_LAST_DAY["kyiv"] - datetime.timedelta(hours=1)
    assert page_cache.next_scheduled_change(before) == END_OF_LAST_DAY["kyiv"].timestamp()
    edition.results_announced_at = END_OF_LAST_DAY["kyiv"] + datetime.timedelta(days=1)
    edition.save()
    assert page_cache.next_scheduled_change(before) == edition.results_announced_at.timestamp()
