"""Award pages across editions, the palmarès with jury and statement, laurels on film pages; the embargo holds."""

import datetime
import json
import re

import pytest
from django.utils import timezone, translation

from films.models import (
    Award,
    AwardResult,
    Edition,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    JuryMember,
    Person,
    Section,
    Selection,
)
from tests.sitemaps import sitemap_text

FILM_URL = "/en/films/we-will-not-fade-away/"
AWARD_URL = "/en/awards/best-film/"
PALMARES_URL = "/en/idfa-2023/awards/"
ANNOUNCED = datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC)
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _uncached(settings):
    """These tests are about what the views show at a given moment: no whole-page cache in between."""
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    with translation.override("en"):
        yield


@pytest.fixture
def at(monkeypatch):
    """``at(moment)`` makes ``timezone.now()`` return ``moment``."""

    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_now(ANNOUNCED + datetime.timedelta(days=1))
    return set_now


def text_of(response):
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def competition_of(edition, key="competition"):
    return Section.objects.create(edition=edition, key=key, name="Competition", competitive=True, published=True)


def add_edition(festival, year, *, published=True, announced=ANNOUNCED):
    return Edition.objects.create(
        festival=festival,
        key=f"idfa-{year}",
        year=year,
        name=f"IDFA {year}",
        start_date=datetime.date(year, 11, 8),
        end_date=datetime.date(year, 11, 19),
        timezone="Europe/Amsterdam",
        published=published,
        results_announced_at=announced.replace(year=year),
    )


def result(award, film, **fields):
    Selection.objects.get_or_create(section=award.section, film=film)
    return AwardResult.objects.create(award=award, film=film, **fields)


@pytest.fixture
def palmares(catalogue_film, festival, edition, at):
    """Best Film in IDFA 2023 (a winner, a mention) and 2022 (then named Best Feature); a draft 2024 edition."""
    edition.results_announced_at = ANNOUNCED
    edition.save()
    competition = competition_of(edition)
    competition.jury_statement = "We were moved."
    competition.jury_statement_uk = "Ми були зворушені."
    competition.save()
    member = Person.objects.create(key="jury-member", name="Jury Member")
    president = Person.objects.create(key="jury-president", name="Jury President")
    JuryMember.objects.create(section=competition, person=member, order=0)
    JuryMember.objects.create(section=competition, person=president, role="president", order=1)
    best = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    other = Film.objects.create(key="other", title="Other Film", published=True)
    result(best, other, citation="A film of rare force.")
    result(best, catalogue_film, kind="special-mention", citation="For courage.")
    older = add_edition(festival, 2022)
    old_best = Award.objects.create(edition=older, section=competition_of(older), key="best-film", name="Best Feature")
    result(old_best, Film.objects.create(key="old", title="Old Film", published=True))
    draft = add_edition(festival, 2024, published=False)
    draft_best = Award.objects.create(edition=draft, section=competition_of(draft), key="best-film", name="Best Film")
    result(draft_best, Film.objects.create(key="future", title="Future Film", published=True))
    return best


# The award across editions ------------------------------------------------------


def test_award_page_lists_each_years_winners_and_mentions_newest_first(client, palmares):
    text = text_of(client.get(AWARD_URL))
    assert (
        "Best Film IDFA 2023 Other Film A film of rare force. Special mention: We Will Not Fade Away For courage. "
        "IDFA 2022 (Best Feature) Old Film IDFA 2023 · All editions"
    ) in text
    assert "Future Film" not in text
    assert "IDFA 2024" not in text


def test_award_page_links_each_year_to_its_palmares_and_the_films(client, palmares):
    html = client.get(AWARD_URL).content.decode()
    assert '<a href="/en/idfa-2023/awards/">IDFA 2023</a>' in html
    assert '<a href="/en/idfa-2022/awards/">IDFA 2022</a>' in html
    assert '<a href="/en/films/old/">Old Film</a>' in html


def test_award_page_leaves_out_unpublished_films(client, palmares):
    Film.objects.filter(key="other").update(published=False)
    text = text_of(client.get(AWARD_URL))
    assert "Other Film" not in text
    assert "IDFA 2023 Special mention: We Will Not Fade Away" in text


def test_award_page_of_unknown_or_only_unpublished_award_is_404(client, palmares, festival):
    assert client.get("/en/awards/no-such-award/").status_code == 404
    draft = Edition.objects.get(key="idfa-2024")
    Award.objects.create(edition=draft, section=Section.objects.get(edition=draft), key="secret", name="Secret")
    assert client.get("/en/awards/secret/").status_code == 404


def test_award_page_says_when_a_year_is_not_announced_yet(client, palmares, at):
    at(ANNOUNCED - datetime.timedelta(minutes=1))
    text = text_of(client.get(AWARD_URL))
    assert "Best Film IDFA 2023 Not announced yet. IDFA 2022 (Best Feature) Old Film" in text


@pytest.mark.parametrize("years", [1, 4])
def test_award_page_query_count_does_not_grow(client, palmares, festival, years, django_assert_num_queries):
    for year in range(2010, 2010 + years - 1):
        edition = add_edition(festival, year)
        award = Award.objects.create(edition=edition, section=competition_of(edition), key="best-film", name="x")
        result(award, Film.objects.create(key=f"film-{year}", title=f"Film {year}", published=True))
    with django_assert_num_queries(3):
        assert client.get(AWARD_URL).status_code == 200


# The palmarès -------------------------------------------------------------------


def test_palmares_shows_jury_president_first_then_statement_then_results(client, palmares):
    text = text_of(client.get(PALMARES_URL))
    assert (
        "Awards IDFA 2023 Competition Jury Jury President (President) Jury Member "
        "Jury statement We were moved. "
        "Best Film Other Film A film of rare force. Special mention: We Will Not Fade Away For courage."
    ) in text


def test_palmares_links_awards_and_jury(client, palmares):
    html = client.get(PALMARES_URL).content.decode()
    assert '<dt><a href="/en/awards/best-film/">Best Film</a></dt>' in html
    assert '<li class="jury__president"><a href="/en/people/jury-president/">Jury President</a>' in html


def test_jury_statement_is_translated(client, palmares):
    html = client.get("/uk/idfa-2023/awards/").content.decode()
    assert '<div class="jury-statement"><p>Ми були зворушені.</p></div>' in html
    assert "We were moved." not in html


def test_jury_statement_waits_for_the_announcement_but_the_jury_does_not(client, palmares, at):
    at(ANNOUNCED - datetime.timedelta(minutes=1))
    text = text_of(client.get(PALMARES_URL))
    assert "We were moved." not in text
    assert "Jury Jury President (President) Jury Member Still to be announced Best Film" in text


@pytest.mark.parametrize("members", [0, 5])
def test_palmares_query_count_does_not_grow_with_the_jury(client, palmares, members, django_assert_num_queries):
    competition = palmares.section
    for number in range(members):
        person = Person.objects.create(key=f"juror-{number}", name=f"Juror {number}")
        JuryMember.objects.create(section=competition, person=person, order=10 + number)
    with django_assert_num_queries(4):
        text = text_of(client.get(PALMARES_URL))
    assert text.count("Juror ") == members


# Laurels on the film page ---------------------------------------------------------


def test_film_page_shows_our_results_and_awards_elsewhere_as_laurels_near_the_top(client, palmares):
    text = text_of(client.get(FILM_URL))
    assert (
        "We Will Not Fade Away Ми не згаснемо · My ne zgasnemo "
        "Five teenagers on the front line dream of the Himalayas. "
        # Its sections in this edition, each in its colour, then the laurels.
        "Best of Fests Competition "
        "Awards Special mention Best Film IDFA 2023 For courage. "
        "Special mention Berlin International Film Festival 2023 Alisa Kovalenko Year 2023"
    ) in text


def test_film_page_laurels_name_winner_person_and_link_the_award(client, palmares, catalogue_film):
    competition = palmares.section
    director = Award.objects.create(
        edition=palmares.edition, section=competition, key="best-director", name="Best Director", recipient="person"
    )
    result(director, catalogue_film, person=Person.objects.get(key="alisa-kovalenko"))
    html = client.get(FILM_URL).content.decode()
    assert (
        '<li class="laurel laurel--winner"><span class="laurel__kind">Winner</span> '
        '<a class="laurel__award" href="/en/awards/best-director/">Best Director</a> '
        '<span class="laurel__festival">IDFA 2023</span> '
        '<span class="laurel__person"><a href="/en/people/alisa-kovalenko/">Alisa Kovalenko</a></span></li>'
    ) in html
    assert (
        '<li class="laurel laurel--elsewhere"><span class="laurel__award">Special mention</span> '
        '<span class="laurel__festival">Berlin International Film Festival 2023</span> '
        '<span class="laurel__person"><a href="/en/people/alisa-kovalenko/">Alisa Kovalenko</a></span></li>'
    ) in html


def test_film_without_awards_has_no_laurels(client, film):
    html = client.get(FILM_URL).content.decode()
    assert "laurel" not in html


def test_film_jsonld_names_the_public_awards(client, palmares):
    [block] = JSONLD.findall(client.get(FILM_URL).content.decode())
    movie = json.loads(block)["@graph"][0]
    assert movie["award"] == [
        "Best Film, IDFA 2023 (special mention)",
        "Special mention, Berlin International Film Festival 2023",
    ]


@pytest.mark.parametrize("extra", [0, 4])
def test_film_page_query_count_does_not_grow_with_awards(
    client, palmares, catalogue_film, extra, django_assert_num_queries
):
    entry = FestivalHistoryEntry.objects.get(film=catalogue_film)
    for number in range(extra):
        award = Award.objects.create(
            edition=palmares.edition, section=palmares.section, key=f"prize-{number}", name=f"Prize {number}"
        )
        result(award, catalogue_film)
        FestivalHistoryAward.objects.create(entry=entry, name=f"Elsewhere {number}", order=number + 1)
    # As tests/test_pages_film.py counts them (screenings' guests included).
    with django_assert_num_queries(12):
        text = text_of(client.get(FILM_URL))
    body = text[text.index("Skip to content") :]  # not the JSON-LD, which names them too
    assert body.count("Prize ") == extra
    assert body.count("Elsewhere ") == extra


# The embargo --------------------------------------------------------------------


def test_embargoed_result_shows_nowhere_until_its_announcement(client, palmares, at):
    """Before ``results_announced_at`` the result is on no page, in no JSON-LD and no sitemap; after, everywhere."""
    edition = palmares.edition
    edition.results_announced_at = datetime.datetime(2030, 1, 1, 20, 0, tzinfo=datetime.UTC)
    edition.save()
    secret = Award.objects.create(edition=edition, section=palmares.section, key="secret-prize", name="Secret Prize")
    result(secret, Film.objects.get(key="we-will-not-fade-away"), citation="Hush.")

    def visible():
        film_html = client.get(FILM_URL).content.decode()
        [block] = JSONLD.findall(film_html)
        sitemap = sitemap_text(client)
        award_page = client.get("/en/awards/secret-prize/")
        return {
            "film": "Hush." in film_html and "Secret Prize" in film_html,
            "jsonld": "Secret Prize" in json.dumps(json.loads(block), ensure_ascii=False),
            "palmares": "Hush." in client.get(PALMARES_URL).content.decode(),
            "award page": award_page.status_code == 200 and "Hush." in award_page.content.decode(),
            "sitemap": "/awards/secret-prize/" in sitemap,
        }

    at(datetime.datetime(2030, 1, 1, 19, 59, tzinfo=datetime.UTC))
    assert visible() == {"film": False, "jsonld": False, "palmares": False, "award page": False, "sitemap": False}
    at(datetime.datetime(2030, 1, 1, 20, 0, tzinfo=datetime.UTC))
    assert visible() == {"film": True, "jsonld": True, "palmares": True, "award page": True, "sitemap": True}


def test_sitemap_lists_award_pages_with_public_results_in_every_language(client, palmares):
    sitemap = sitemap_text(client)
    for code in ("en", "uk", "pl", "de", "nl"):
        assert f"<loc>http://testserver/{code}/awards/best-film/</loc>" in sitemap
    Award.objects.create(edition=palmares.edition, section=palmares.section, key="pending", name="Pending")
    assert "/awards/pending/" not in sitemap_text(client)
