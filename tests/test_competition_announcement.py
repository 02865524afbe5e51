"""A competition's own announcement time (``Section.results_announced_at``) overrides its edition's, both ways.

Results (and the jury statement) of a competition with its own time stay private until that time even when the
edition's time has passed, and are public from it even when the edition's time is still ahead; a competition
without its own time keeps following the edition's. Every public channel holds to it: the palmarès, the award
page, film pages (laurels and JSON-LD), the home page, the sitemap, and the page cache's next scheduled change.
(Editions here always have an announcement time; what happens when neither has one is tested elsewhere.)
"""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from films import cache as page_cache
from films.models import Award, AwardResult, Film, Section, Selection
from tests.sitemaps import sitemap_text

UTC = datetime.UTC
EDITION_TIME = datetime.datetime(2023, 11, 18, 20, 0, tzinfo=UTC)
OWN_LATER = datetime.datetime(2023, 11, 19, 12, 0, tzinfo=UTC)
OWN_EARLIER = datetime.datetime(2023, 11, 17, 18, 0, tzinfo=UTC)
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def competitions(edition):
    """ "Main Competition" (its own time, set by each test) and "Shorts Competition" (the edition's time)."""
    edition.results_announced_at = EDITION_TIME
    edition.save()
    found = {}
    for key, name, film_key, film_title in (
        ("main", "Main Competition", "main-film", "Main Film"),
        ("shorts", "Shorts Competition", "shorts-film", "Shorts Film"),
    ):
        section = Section.objects.create(
            edition=edition,
            key=key,
            name=name,
            competitive=True,
            published=True,
            jury_statement=f"{name} statement.",
        )
        film = Film.objects.create(key=film_key, title=film_title, published=True)
        Selection.objects.create(section=section, film=film)
        award = Award.objects.create(edition=edition, section=section, key=f"{key}-prize", name=f"{name} Prize")
        AwardResult.objects.create(award=award, film=film, citation=f"{name} citation.")
        found[key] = section
    return found


def set_own_time(section, moment):
    section.results_announced_at = moment
    section.save()


def public_everywhere(client):
    """For each competition: on which channels its result (or statement) shows."""
    palmares = client.get("/en/idfa-2023/awards/").content.decode()
    home = client.get("/en/").content.decode()
    sitemap = sitemap_text(client)
    seen = {}
    for key, name, film_key in (
        ("main", "Main Competition", "main-film"),
        ("shorts", "Shorts Competition", "shorts-film"),
    ):
        film_page = client.get(f"/en/films/{film_key}/").content.decode()
        [block] = JSONLD.findall(film_page)
        movie = json.loads(block)["@graph"][0]
        award_page = client.get(f"/en/awards/{key}-prize/")
        seen[key] = {
            "palmares": f"{name} citation." in palmares,
            "statement": f"{name} statement." in palmares,
            "award page": f"{name} citation." in award_page.content.decode(),
            "film page": f"{name} citation." in film_page,
            "json-ld": movie.get("award") == [f"{name} Prize, IDFA 2023"],
            "home": f"{name} citation." in home,
            "sitemap": f"<loc>http://testserver/en/awards/{key}-prize/</loc>" in sitemap,
            "query": list(AwardResult.objects.public().values_list("award__section__key", flat=True)).count(key) == 1,
        }
    return seen


SHOWN = dict.fromkeys(("palmares", "statement", "award page", "film page", "json-ld", "home", "sitemap", "query"), True)
HIDDEN = dict.fromkeys(SHOWN, False)


def test_own_time_ahead_keeps_results_private_though_the_editions_time_has_passed(client, competitions, at):
    set_own_time(competitions["main"], OWN_LATER)
    at(EDITION_TIME + datetime.timedelta(hours=1))
    assert public_everywhere(client) == {"main": HIDDEN, "shorts": SHOWN}
    at(OWN_LATER - MINUTE)
    assert public_everywhere(client) == {"main": HIDDEN, "shorts": SHOWN}


def test_results_are_public_from_the_exact_own_time(client, competitions, at):
    set_own_time(competitions["main"], OWN_LATER)
    at(OWN_LATER)
    assert public_everywhere(client) == {"main": SHOWN, "shorts": SHOWN}


def test_own_time_passed_makes_results_public_though_the_editions_time_is_ahead(client, competitions, at):
    set_own_time(competitions["main"], OWN_EARLIER)
    at(OWN_EARLIER - MINUTE)
    assert public_everywhere(client) == {"main": HIDDEN, "shorts": HIDDEN}
    at(OWN_EARLIER)
    assert public_everywhere(client) == {"main": SHOWN, "shorts": HIDDEN}
    at(EDITION_TIME - MINUTE)
    assert public_everywhere(client) == {"main": SHOWN, "shorts": HIDDEN}
    at(EDITION_TIME)
    assert public_everywhere(client) == {"main": SHOWN, "shorts": SHOWN}


def test_the_queryset_takes_the_competitions_own_time_both_ways(competitions):
    set_own_time(competitions["main"], OWN_LATER)
    between = EDITION_TIME + MINUTE
    assert sorted(AwardResult.objects.announced(between).values_list("award__key", flat=True)) == ["shorts-prize"]
    assert sorted(AwardResult.objects.announced(OWN_LATER).values_list("award__key", flat=True)) == [
        "main-prize",
        "shorts-prize",
    ]
    set_own_time(competitions["main"], OWN_EARLIER)
    assert sorted(AwardResult.objects.announced(OWN_EARLIER).values_list("award__key", flat=True)) == ["main-prize"]
    assert list(AwardResult.objects.announced(OWN_EARLIER - MINUTE)) == []
    assert competitions["main"].announcement_time == OWN_EARLIER
    assert competitions["shorts"].announcement_time == EDITION_TIME


def test_the_page_cache_expires_at_the_competitions_own_time(client, competitions, at, settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    set_own_time(competitions["main"], OWN_LATER)
    assert page_cache.next_scheduled_change(EDITION_TIME) == OWN_LATER.timestamp()
    at(OWN_LATER - MINUTE)
    url = "/en/idfa-2023/awards/"
    assert "Main Competition citation." not in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    at(OWN_LATER)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Main Competition citation." in response.content.decode()
    cache.clear()
