"""The rest of the public site: language redirect and switcher, conditional GET, home, sections, people, venues,
awards, archive and search; drafts stay private everywhere."""

import datetime
import html
import re

import pytest

from films.models import (
    Award,
    AwardResult,
    Credit,
    Edition,
    Film,
    FilmTitle,
    Person,
    PersonAlias,
    Screen,
    Section,
    Selection,
)
from tests.conftest import local

from .conftest import announce


def text_of(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# Languages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "target"),
    [("uk,en;q=0.8", "/uk/"), ("de-AT,de;q=0.9", "/de/"), ("fr-FR,fr;q=0.9", "/en/"), ("", "/en/"), ("nl", "/nl/")],
)
def test_root_redirects_by_accept_language(client, db, accept, target):
    response = client.get("/", headers={"accept-language": accept} if accept else {})
    assert response.status_code == 302
    assert response["Location"] == target


def test_language_switcher_links_to_the_same_page_keeping_the_query(client, edition, section):
    html = client.get("/de/idfa-2023/programme/?day=2023-11-12&venue=x").content.decode()
    assert (
        '<a href="/uk/idfa-2023/programme/?day=2023-11-12&amp;venue=x" lang="uk" hreflang="uk">Українська</a>' in html
    )
    assert (
        '<a href="/de/idfa-2023/programme/?day=2023-11-12&amp;venue=x" lang="de" hreflang="de" '
        'aria-current="true">Deutsch</a>'
    ) in html
    assert '<html lang="de">' in html


def test_pages_have_hreflang_alternates_x_default_and_canonical(client, film):
    html = client.get("/nl/films/we-will-not-fade-away/").content.decode()
    for code in ("en", "uk", "pl", "de", "nl"):
        assert (
            f'<link rel="alternate" hreflang="{code}" href="http://testserver/{code}/films/we-will-not-fade-away/">'
            in html
        )
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://testserver/en/films/we-will-not-fade-away/">' in html
    )
    assert '<link rel="canonical" href="http://testserver/nl/films/we-will-not-fade-away/">' in html


def test_base_has_landmarks_one_h1_skip_link_and_no_inline_script_or_style(client, catalogue_film):
    for url in (
        "/en/",
        "/en/idfa-2023/programme/?day=2023-11-12&view=grid",
        "/en/films/we-will-not-fade-away/",
        "/en/search/?q=we",
        "/en/people/alisa-kovalenko/",
        "/en/venues/example-cinema/",
        "/en/editions/",
        "/en/idfa-2023/awards/",
        "/en/idfa-2023/sections/best-of-fests/",
    ):
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in html, (url, landmark)
        assert '<a class="skip-link" href="#main">' in html
        assert "style=" not in html, url
        assert not re.search(r'<script(?![^>]*(\bsrc=|type="application/ld\+json"))[^>]*>', html), url
        assert '<a href="/en/my-programme/">My programme</a>' in html


# Conditional GET -------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/en/", "/en/films/we-will-not-fade-away/", "/en/idfa-2023/programme/?day=2023-11-12", "/en/search/?q=fade"]
)
def test_repeat_visit_gets_304(client, catalogue_film, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_changed_page_gets_a_new_etag(client, catalogue_film):
    etag = client.get("/en/films/we-will-not-fade-away/")["ETag"]
    catalogue_film.tagline_en = "Another tagline"
    catalogue_film.save()
    response = client.get("/en/films/we-will-not-fade-away/", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


# Home, archive, awards ---------------------------------------------------------


def test_home_shows_current_edition_its_sections_first_day_and_winners(
    client, catalogue_film, edition, festival, make_screening
):
    Edition.objects.create(
        festival=festival,
        key="idfa-2099",
        year=2099,
        name="IDFA 2099 draft",
        start_date=datetime.date(2099, 11, 1),
        end_date=datetime.date(2099, 11, 2),
        timezone="Europe/Amsterdam",
    )
    make_screening(local(2023, 11, 8, 20, 0), key="opening")
    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True, published=True, order=1
    )
    Section.objects.create(edition=edition, key="secret", name="Secret section", published=False)
    Selection.objects.create(section=competition, film=catalogue_film)
    award = Award.objects.create(edition=edition, section=competition, key="best", name="Best Film")
    AwardResult.objects.create(award=award, film=catalogue_film, citation="For courage.")
    announce(edition)
    response = client.get("/en/")
    text = text_of(response)
    assert "<h1>IDFA 2023</h1>" in response.content.decode()
    assert "8 Nov 2023 to 19 Nov 2023" in text
    assert "Sections Best of Fests Competition" in text
    assert "Secret section" not in text
    assert "2099" not in text
    assert "Screenings on 8 Nov 2023" in text
    assert re.findall(r'data-screening="([^"]+)"', response.content.decode())[0] == "opening"
    assert "Winners Best Film We Will Not Fade Away For courage." in text


def test_home_without_published_edition(client, edition):
    edition.published = False
    edition.save()
    assert "The programme is not published yet." in text_of(client.get("/en/"))


def test_editions_archive_lists_published_editions_only(client, edition, festival):
    Edition.objects.create(
        festival=festival,
        key="idfa-2022",
        year=2022,
        name="IDFA 2022",
        start_date=datetime.date(2022, 11, 9),
        end_date=datetime.date(2022, 11, 20),
        timezone="Europe/Amsterdam",
        published=True,
    )
    Edition.objects.create(
        festival=festival,
        key="idfa-2024",
        year=2024,
        name="IDFA 2024",
        start_date=datetime.date(2024, 11, 13),
        end_date=datetime.date(2024, 11, 24),
        timezone="Europe/Amsterdam",
    )
    text = text_of(client.get("/en/editions/"))
    assert "Archive IDFA 2023 8 Nov 2023 to 19 Nov 2023 · Awards IDFA 2022" in text
    assert "IDFA 2024" not in text


@pytest.mark.parametrize("count", [1, 20])
def test_the_archive_lists_every_edition_in_one_query(client, festival, count, django_assert_num_queries):
    for year in range(2030 - count, 2030):
        Edition.objects.create(
            festival=festival,
            key=f"idfa-{year}",
            year=year,
            name=f"IDFA {year}",
            start_date=datetime.date(year, 11, 8),
            end_date=datetime.date(year, 11, 19),
            timezone="Europe/Amsterdam",
            published=True,
        )
    with django_assert_num_queries(1):
        page = client.get("/en/editions/").content.decode()
    page = page[page.index('<ul class="editions">') :]
    items = re.findall(r'<li><a href="/en/(idfa-\d+)/programme/">', page)
    assert items == [f"idfa-{year}" for year in reversed(range(2030 - count, 2030))]
    assert page.count('/awards/">Awards</a></li>') == count


def test_awards_page_lists_winners_mentions_and_citations(client, catalogue_film, edition):
    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True, published=True
    )
    other = Film.objects.create(key="other", title="Other Film", published=True)
    draft = Film.objects.create(key="draft", title="Draft Film")
    for item in (catalogue_film, other, draft):
        Selection.objects.create(section=competition, film=item)
    best = Award.objects.create(edition=edition, section=competition, key="best", name="Best Film", order=0)
    director = Award.objects.create(edition=edition, section=competition, key="director", name="Best Director", order=1)
    Award.objects.create(edition=edition, section=competition, key="audience", name="Audience Award", order=2)
    AwardResult.objects.create(award=best, film=other, citation="A film of rare force.")
    AwardResult.objects.create(award=best, film=catalogue_film, kind="special-mention", citation="For courage.")
    AwardResult.objects.create(award=best, film=draft, kind="special-mention")
    AwardResult.objects.create(award=director, film=catalogue_film, person=Person.objects.get(key="alisa-kovalenko"))
    announce(edition)
    text = text_of(client.get("/en/idfa-2023/awards/"))
    assert (
        "Best Film Other Film A film of rare force. Special mention: We Will Not Fade Away For courage. "
        "Best Director We Will Not Fade Away – Alisa Kovalenko Still to be announced Audience Award"
    ) in text
    assert "Draft Film" not in text


def test_award_results_stay_private_until_announced(client, catalogue_film, edition, monkeypatch):
    from django.utils import timezone

    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True, published=True
    )
    Selection.objects.create(section=competition, film=catalogue_film)
    award = Award.objects.create(edition=edition, section=competition, key="best", name="Best Film")
    AwardResult.objects.create(award=award, film=catalogue_film, citation="For courage.")
    pages = ("/en/", "/en/idfa-2023/awards/", "/en/films/we-will-not-fade-away/", "/en/people/alisa-kovalenko/")
    # During the edition: with no announcement time, results wait for the end of its last day.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 18, 12, 0, tzinfo=datetime.UTC))
    for url in pages:
        assert "For courage." not in text_of(client.get(url)), url
    assert "Still to be announced Best Film" in text_of(client.get("/en/idfa-2023/awards/"))
    announce(edition)
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 18, 19, 59, tzinfo=datetime.UTC))
    assert "For courage." not in text_of(client.get("/en/idfa-2023/awards/"))
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC))
    for url in pages[:3]:
        assert "For courage." in text_of(client.get(url)), url


# Section, person, venue --------------------------------------------------------


def test_section_page_lists_published_films_in_programmers_order(client, catalogue_film, section):
    section.description = "The best films of the year's festivals."
    section.save()
    second = Film.objects.create(key="second", title="Second", published=True, countries=["NL"], year=2022)
    Selection.objects.create(section=section, film=second, order=-1 + 2)
    Selection.objects.filter(film=catalogue_film).update(order=5)
    Selection.objects.create(section=section, film=Film.objects.create(key="draft", title="Draft"), order=0)
    text = text_of(client.get("/en/idfa-2023/sections/best-of-fests/"))
    assert "Best of Fests The best films of the year's festivals." in text
    assert "Films Second Netherlands 2022 We Will Not Fade Away National premiere Ukraine, France, Poland 2023" in text
    assert "Draft" not in text


def test_unpublished_section_is_404(client, section):
    section.published = False
    section.save()
    assert client.get("/en/idfa-2023/sections/best-of-fests/").status_code == 404
    assert client.get("/en/idfa-2023/sections/nothing/").status_code == 404


def test_person_page_shows_aliases_bio_filmography_and_films(client, catalogue_film):
    text = text_of(client.get("/en/people/alisa-kovalenko/"))
    assert "Alisa Kovalenko Born 1987 in Zaporizhzhia, Ukraine Born in Zaporizhzhia." in text
    assert "Films at the festival 2023 We Will Not Fade Away : Director" in text
    assert (
        "Filmography 2015 Alisa w krainie wojny (Alisa in Warland) 2023 My ne zgasnemo (We Will Not Fade Away)" in text
    )
    page = client.get("/en/people/alisa-kovalenko/").content.decode()
    assert '<a href="/en/films/we-will-not-fade-away/">My ne zgasnemo</a>' in page
    assert "Also credited as Maria Nesterenko" in text_of(client.get("/en/people/mariia-nesterenko/"))


@pytest.mark.parametrize("years", [1, 6])
def test_a_persons_films_are_grouped_by_year_newest_first_in_constant_queries(
    client, catalogue_film, years, django_assert_num_queries
):
    person = Person.objects.get(key="alisa-kovalenko")
    for index in range(years):
        for number in range(2):  # Two films a year, one unpublished film in the last
            film = Film.objects.create(
                key=f"film-{index}-{number}", title=f"Film {index}-{number}", year=2000 + index, published=True
            )
            Credit.objects.create(film=film, person=person, role="director" if number else "screenplay")
    Film.objects.filter(key=f"film-{years - 1}-1").update(published=False)
    with django_assert_num_queries(6):
        page = client.get("/en/people/alisa-kovalenko/").content.decode()
    section = page[page.index('<h2 id="films-heading">') : page.index('<section aria-labelledby="filmography')]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split()).replace(" :", ":")
    expected = ["Films at the festival", "2023 We Will Not Fade Away: Director"]
    for index in reversed(range(years)):
        films = [f"Film {index}-0: Screenplay", f"Film {index}-1: Director"]
        if index == years - 1:
            films = films[:1]
        expected.append(f"{2000 + index} " + " ".join(films))
    assert text == " ".join(expected)
    assert section.count('<h3 class="films-year">') == years + 1


def test_person_page_hides_unpublished_films(client, catalogue_film):
    catalogue_film.published = False
    catalogue_film.save()
    page = client.get("/en/people/alisa-kovalenko/").content.decode()
    assert "Films at the festival" not in page
    assert '<a href="/en/films/we-will-not-fade-away/">' not in page
    # The filmography still lists the work, unlinked.
    assert "2023 My ne zgasnemo" in " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_venue_page_shows_screens_accessibility_and_upcoming_screenings(client, catalogue_film, venue, monkeypatch):
    from django.utils import timezone

    venue.address = "Kerkstraat 1"
    venue.city = "Amsterdam"
    venue.accessibility = "Step-free access."
    venue.save()
    Screen.objects.create(
        venue=venue, key="example-cinema-2", name="Example Cinema 2", capacity=80, wheelchair_spaces=2
    )
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 1, tzinfo=datetime.UTC))
    text = text_of(client.get("/en/venues/example-cinema/"))
    assert "Example Cinema Kerkstraat 1, Amsterdam Accessibility Step-free access." in text
    assert "Example Cinema 1 220 0 Example Cinema 2 80 2" in text
    assert "Upcoming screenings 12 Nov 2023, 19:15 · Example Cinema 1 · We Will Not Fade Away" in text
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 12, 1, tzinfo=datetime.UTC))
    assert "No upcoming screenings." in text_of(client.get("/en/venues/example-cinema/"))


# Search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["zgasnemo", "ми не", "МИ НЕ", "fade away", "expedition 49", "Експедиція", "ZGASNEMO"]
)
def test_search_finds_film_by_any_title_in_any_script(client, catalogue_film, query):
    html = client.get("/en/search/", {"q": query}).content.decode()
    assert '<a href="/en/films/we-will-not-fade-away/">We Will Not Fade Away</a> (2023)' in html


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("kuczynska", "katarzyna-kuczynska"),
        ("KUCZYŃSKA", "katarzyna-kuczynska"),
        ("maria nesterenko", "mariia-nesterenko"),
    ],
)
def test_search_finds_people_by_name_or_alias_ignoring_case_and_accents(client, catalogue_film, query, key):
    html = client.get("/en/search/", {"q": query}).content.decode()
    assert f'<a href="/en/people/{key}/">' in html


def test_search_is_accent_insensitive_both_ways(client, db):
    Person.objects.create(key="stephane-siohan", name="Stéphane Siohan")
    assert '<a href="/en/people/stephane-siohan/">' in client.get("/en/search/", {"q": "stephane"}).content.decode()
    Film.objects.create(key="cafe", title="Cafe", published=True)
    assert '<a href="/en/films/cafe/">Cafe</a>' in client.get("/en/search/", {"q": "café"}).content.decode()


def test_search_hides_unpublished_films(client, catalogue_film):
    catalogue_film.published = False
    catalogue_film.save()
    assert "No films found." in text_of(client.get("/en/search/", {"q": "zgasnemo"}))


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "' OR 1=1 --", "%", "_", "\x00"])
def test_search_survives_odd_queries(client, catalogue_film, query):
    assert client.get("/en/search/", {"q": query}).status_code == 200


def test_search_ignores_control_characters_in_the_query(client, catalogue_film):
    html = client.get("/en/search/", {"q": "fa\x00de\x07"}).content.decode()
    assert '<a href="/en/films/we-will-not-fade-away/">' in html


@pytest.mark.parametrize("extra", [0, 5])
def test_search_query_count_does_not_grow(client, catalogue_film, extra, django_assert_num_queries):
    for index in range(extra):
        film = Film.objects.create(key=f"fade-{index}", title=f"Fade {index}", published=True)
        FilmTitle.objects.create(film=film, title=f"Fading {index}", language="en")
        person = Person.objects.create(key=f"fader-{index}", name=f"Fader {index}")
        PersonAlias.objects.create(person=person, name=f"Fade Person {index}")
    # The header's edition, the films, where they played, the people (tests/test_search_archive.py: pages).
    with django_assert_num_queries(4):
        response = client.get("/en/search/", {"q": "fade"})
    assert len(re.findall(r'href="/en/films/', response.content.decode())) >= 1 + extra


# Query counts of the smaller pages ---------------------------------------------


@pytest.mark.parametrize("extra", [0, 4])
def test_small_pages_query_counts_do_not_grow(
    client, catalogue_film, edition, section, make_screening, extra, django_assert_num_queries, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 1, tzinfo=datetime.UTC))
    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True, published=True
    )
    award = Award.objects.create(edition=edition, section=competition, key="best", name="Best Film")
    announce(edition, datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC))
    make_screening(local(2023, 11, 8, 9), key="opening")
    for index in range(extra):
        film = Film.objects.create(key=f"extra-{index}", title=f"Extra {index}", published=True)
        Selection.objects.create(section=section, film=film, premiere="world", order=index + 1)
        Selection.objects.create(section=competition, film=film)
        AwardResult.objects.create(award=award, film=film, kind="special-mention")
        make_screening(local(2023, 11, 8, 12 + 2 * index), key=f"extra-{index}", films=[film])
    expected = {
        "/en/": 6,  # the day's screenings with their films and guests
        "/en/idfa-2023/sections/best-of-fests/": 3,
        "/en/idfa-2023/awards/": 4,
        "/en/editions/": 1,
        "/en/people/alisa-kovalenko/": 6,
        "/en/venues/example-cinema/": 5,
    }
    for url, count in expected.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_pages_answer_head_and_refuse_post(client, film):
    assert client.head("/en/films/we-will-not-fade-away/").status_code == 200
    assert client.post("/en/films/we-will-not-fade-away/").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/editions/",
        "/en/idfa-2023/programme/?day=2023-11-12&venue=x",
        "/en/idfa-2023/awards/",
        "/en/films/we-will-not-fade-away/",
        "/en/search/?q=zgasnemo",
    ],
)
def test_alternate_urls_swap_the_language_prefix_exactly_as_reverse_would(rf, catalogue_film, path):
    from django.urls import resolve, reverse
    from django.utils import translation

    from films.public import alternate_urls

    request = rf.get(path)
    with translation.override("en"):
        request.resolver_match = resolve(request.path)
        swapped = alternate_urls(request)
    match = request.resolver_match
    query = path.partition("?")[2]
    for code in ("en", "uk", "pl", "de", "nl"):
        with translation.override(code):
            expected = reverse(match.view_name, args=match.args, kwargs=match.kwargs) + (f"?{query}" if query else "")
        assert swapped[code] == expected


def test_every_page_names_its_icon_and_old_browsers_asking_for_favicon_ico_find_it(client, catalogue_film):
    page = client.get("/en/").content.decode()
    assert '<link rel="icon" href="/static/films/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/films/favicon.svg")
    assert client.get("/static/films/favicon.svg").status_code == 200


def test_pages_describe_themselves_for_search_engines(client, catalogue_film):
    home = client.get("/en/").content.decode()
    assert '<meta name="description" content="Programme, films, screenings and awards of IDFA 2023.">' in home
    film = client.get("/en/films/we-will-not-fade-away/").content.decode()
    assert '<meta name="description" content="In the Donbas, five teenagers prepare for an expedition.">' in film
    ukrainian = client.get("/uk/idfa-2023/programme/").content.decode()
    assert '<meta name="description" content="' in ukrainian
    assert "Programme, films, screenings and awards of" not in ukrainian
