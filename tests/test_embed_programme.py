"""The embeddable programme (/<lang>/<edition>/embed/programme/): the programme's day, filters and list for
partners' sites to frame, framed only by the origins in EMBED_ALLOWED_ORIGINS, without cookies, its links opening
the festival site."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from films.models import Film, Person, Screen, Screening, ScreeningGuest, Section, Selection, Venue
from films.models.versioned import FIRST_CLOCK_VERSION
from tests.conftest import local
from tests.test_pages_programme import GARBAGE, make_day
from tests.test_security_headers import EXPECTED_POLICY, directives

EMBED = "/en/idfa-2023/embed/programme/"
PROGRAMME = "/en/idfa-2023/programme/"
DAY = {"day": "2023-11-12"}
PARTNERS = ["https://partner.example", "https://www.cinema.example:8443"]


def keys(response):
    """The keys of the screenings listed, in order."""
    return re.findall(r'<li class="screening [^"]*" data-screening="([^"]+)"', response.content.decode())


def screening_list(html):
    """The ``<ol class="screenings">`` element's markup."""
    return re.search(r'<ol class="screenings">.*?</ol>\n', html, re.S).group(0)


def anchors(html):
    """Each ``<a ...>`` start tag."""
    return re.findall(r"<a\b[^>]*>", html)


def form_controls(html):
    """The names of the filter form's controls, in order."""
    form = re.search(r'<form class="filters".*?</form>', html, re.S).group(0)
    return re.findall(r'\bname="([^"]+)"', form)


@pytest.fixture
def programme(catalogue_film, edition, section, make_screening):
    """12 November: the example film at 19:15 (with a ticket link) in Best of Fests; a morning shorts programme in a
    section of its own at another venue, with a guest for a Q&A; the example film again on 13 November."""
    shorts = Section.objects.create(edition=edition, key="shorts", name="Shorts", published=True, order=1)
    short = Film.objects.create(key="short-a", title="Short A", countries=["PL"], published=True)
    Selection.objects.create(section=shorts, film=short)
    other = Screen.objects.create(
        venue=Venue.objects.create(key="other-cinema", name="Other Cinema"), key="other-1", name="Other 1"
    )
    morning = make_screening(
        local(2023, 11, 12, 10, 0), key="shorts-morning", films=[short], section=shorts, screen=other
    )
    ScreeningGuest.objects.create(screening=morning, person=Person.objects.get(key="alisa-kovalenko"), qa=True)
    make_screening(local(2023, 11, 13, 10, 0), key="next-day")
    return edition


@pytest.fixture
def page_cache_on(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


# What it shows --------------------------------------------------------------------------------------------------


def test_embed_lists_the_day_with_absolute_links_that_open_the_festival_site_in_a_new_tab(client, programme):
    response = client.get(EMBED, DAY)
    assert response.status_code == 200
    assert keys(response) == ["shorts-morning", "wwnfa-1"]
    html = response.content.decode()
    rows = screening_list(html)
    assert (
        '<a href="http://testserver/en/films/we-will-not-fade-away/" target="_blank" rel="noopener">'
        "We Will Not Fade Away</a>" in rows
    )
    assert (
        '<a href="http://testserver/en/idfa-2023/sections/best-of-fests/" target="_blank" rel="noopener">'
        "Best of Fests</a>" in rows
    )
    assert (
        '<a href="http://testserver/en/venues/example-cinema/" target="_blank" rel="noopener">Example Cinema</a>'
        in rows
    )
    assert (
        'Q&amp;A with <a href="http://testserver/en/people/alisa-kovalenko/" target="_blank" rel="noopener">'
        "Alisa Kovalenko</a>" in rows
    )
    assert '<a href="https://tickets.example/1" target="_blank" rel="external noopener">Tickets</a>' in rows
    assert (
        '<a href="http://testserver/en/idfa-2023/screenings/wwnfa-1.ics" target="_blank" rel="noopener">'
        "Add to calendar</a>" in rows
    )
    # Every link of the list: absolute, in a new tab, without a handle on the partner's page.
    links = anchors(rows)
    # Each screening: its film, section, venue and calendar, then the guest or the tickets.
    assert len(links) == 10
    for link in links:
        assert re.fullmatch(r'<a href="https?://[^"]+" target="_blank" rel="(external )?noopener">', link), link
    # The full programme, on the festival site, for the same day and filters.
    assert (
        '<p class="embed__more"><a href="http://testserver/en/idfa-2023/programme/?day=2023-11-12" target="_blank" '
        'rel="noopener">Full programme on testserver</a></p>' in html
    )


def test_embed_day_tabs_and_form_stay_inside_the_embed(client, programme):
    html = client.get(EMBED, {**DAY, "section": "shorts"}).content.decode()
    # Day tabs keep the filters and lead to the embed itself, in the same frame.
    assert '<li><a href="/en/idfa-2023/embed/programme/?day=2023-11-13&amp;section=shorts">Mon 13 Nov</a></li>' in html
    assert '<a href="/en/idfa-2023/embed/programme/?day=2023-11-12&amp;section=shorts" aria-current="date">' in html
    # The form submits to the embed (GET: no script, no token).
    assert '<form class="filters" method="get" action="/en/idfa-2023/embed/programme/">' in html
    assert '<input type="hidden" name="day" value="2023-11-12">' in html
    assert '<a href="/en/idfa-2023/embed/programme/?day=2023-11-12">Clear filters</a>' in html
    assert "csrfmiddlewaretoken" not in html
    assert (
        '<a href="http://testserver/en/idfa-2023/programme/?day=2023-11-12&amp;section=shorts" target="_blank" '
        'rel="noopener">Full programme on testserver</a>' in html
    )


def test_embed_is_compact_noindex_and_names_the_programme_page_as_canonical(client, programme):
    html = client.get(EMBED, {**DAY, "section": "shorts"}).content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert '<link rel="canonical" href="http://testserver/en/idfa-2023/programme/?day=2023-11-12">' in html
    assert '<link rel="stylesheet" href="/static/films/css/site.css">' in html
    assert "<title>Programme, 12 Nov 2023 – IDFA 2023</title>" in html
    assert html.count("<h1") == 1
    for absent in ('class="site-header"', 'class="main-nav"', "<footer", "<header", 'class="languages"', "hreflang"):
        assert absent not in html, absent
    # No script at all, no inline style (the strict CSP allows neither).
    assert "<script" not in html
    assert "style=" not in html


def test_embed_form_has_the_programme_pages_filters_but_the_grid_switch(client, programme):
    programme_controls = form_controls(client.get(PROGRAMME, DAY).content.decode())
    embed_controls = form_controls(client.get(EMBED, DAY).content.decode())
    assert embed_controls == [name for name in programme_controls if name != "view"]
    assert embed_controls == [
        "day",
        "section",
        "venue",
        "subtitles",
        "audience",
        "access",
        "form",
        "country",
        "age",
        "started",
    ]


def test_embed_is_always_a_list(client, programme):
    response = client.get(EMBED, {**DAY, "view": "grid"})
    assert keys(response) == ["shorts-morning", "wwnfa-1"]
    assert 'class="grid' not in response.content.decode()


# Filters ------------------------------------------------------------------------------------------------------


def test_a_section_filter_narrows_the_rows_and_is_kept_in_the_form(client, programme):
    response = client.get(EMBED, {**DAY, "section": "shorts"})
    assert keys(response) == ["shorts-morning"]
    html = response.content.decode()
    assert '<option value="shorts" selected>Shorts</option>' in html
    assert '<h2 id="screenings-heading">1 screening</h2>' in html
    assert keys(client.get(EMBED, {**DAY, "section": "best-of-fests"})) == ["wwnfa-1"]


@pytest.mark.parametrize(
    "query",
    [
        {"section": "shorts"},
        {"venue": "other-cinema"},
        {"subtitles": "en"},
        {"country": "PL"},
        {"form": "documentary"},
        {"age": "11"},
        {"section": "shorts", "venue": "example-cinema"},
        {"day": "2023-11-13"},
    ],
)
def test_filters_narrow_the_embed_exactly_as_the_programme_page(client, programme, query):
    expected = keys(client.get(PROGRAMME, {**DAY, **query}))
    assert keys(client.get(EMBED, {**DAY, **query})) == expected


@pytest.mark.parametrize("name", ["day", "section", "venue", "subtitles", "audience", "form", "country", "age"])
@pytest.mark.parametrize("value", [GARBAGE[0], GARBAGE[2], GARBAGE[8], GARBAGE[9]])
def test_a_bad_filter_value_is_treated_as_the_programme_page_treats_it(client, programme, name, value):
    """The programme page ignores an invalid value (ProgrammeFilters shows no error): so does the embed."""
    query = {"day": value} if name == "day" else {**DAY, name: value}
    response = client.get(EMBED, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert keys(response) == keys(client.get(PROGRAMME, query))
    if name == "day":
        # Not a day of the edition: the first day, as on the programme page (the edition being over).
        assert 'aria-current="date">Wed 8 Nov</a>' in html
        assert keys(response) == []
    else:
        assert 'aria-current="date">Sun 12 Nov</a>' in html
        assert keys(response) == ["shorts-morning", "wwnfa-1"]
        # The bad value is not echoed back into the link to the full programme.
        assert 'href="http://testserver/en/idfa-2023/programme/?day=2023-11-12" target="_blank"' in html


def test_embed_hides_drafts(client, programme, edition, make_screening):
    draft_film = Film.objects.create(key="draft-film", title="Draft film", published=False)
    # A draft film inside a published screening hides the screening; so does a draft section.
    make_screening(local(2023, 11, 12, 22, 0), key="draft-film-screening", films=[draft_film])
    hidden = Section.objects.create(edition=edition, key="hidden", name="Hidden section", published=False)
    make_screening(local(2023, 11, 12, 12, 0), key="hidden-section-screening", section=hidden)
    make_screening(local(2023, 11, 12, 8, 0), key="draft-screening", published=False)
    response = client.get(EMBED, DAY)
    assert keys(response) == ["shorts-morning", "wwnfa-1"]
    html = response.content.decode()
    assert "Draft film" not in html
    assert "Hidden section" not in html
    assert '<option value="hidden">' not in html
    # A draft section cannot be chosen either.
    assert keys(client.get(EMBED, {**DAY, "section": "hidden"})) == ["shorts-morning", "wwnfa-1"]


def test_embed_of_an_unpublished_edition_is_404_and_it_answers_get_only(client, programme):
    assert client.post(EMBED).status_code == 405
    assert client.head(EMBED).status_code == 200
    programme.published = False
    programme.save()
    assert client.get(EMBED).status_code == 404
    assert client.get("/en/no-such-edition/embed/programme/").status_code == 404


# Languages --------------------------------------------------------------------------------------------------------


def test_the_example_film_has_its_ukrainian_title_in_ukrainian(client, programme):
    html = client.get("/uk/idfa-2023/embed/programme/", DAY).content.decode()
    assert '<html lang="uk">' in html
    assert (
        '<a href="http://testserver/uk/films/we-will-not-fade-away/" target="_blank" rel="noopener">Ми не згаснемо</a>'
        in html
    )
    assert '<form class="filters" method="get" action="/uk/idfa-2023/embed/programme/">' in html


def test_the_example_film_falls_back_to_english_marked_with_its_language(client, programme):
    html = client.get("/pl/idfa-2023/embed/programme/", DAY).content.decode()
    assert '<html lang="pl">' in html
    assert (
        '<a href="http://testserver/pl/films/we-will-not-fade-away/" target="_blank" rel="noopener">'
        '<span lang="en">We Will Not Fade Away</span></a>' in html
    )


# Framing: CSP frame-ancestors and X-Frame-Options ------------------------------------------------------------------


def test_without_partner_origins_the_embed_cannot_be_framed(client, programme, settings, page_cache_on):
    settings.EMBED_ALLOWED_ORIGINS = []
    for state in ("miss", "hit"):
        response = client.get(EMBED, DAY)
        assert response["X-Page-Cache"] == state
        assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == {"'none'"}
        assert response["X-Frame-Options"] == "DENY"


def test_partner_origins_may_frame_the_embed_and_nothing_else(client, programme, settings, page_cache_on):
    settings.EMBED_ALLOWED_ORIGINS = PARTNERS
    for state in ("miss", "hit"):
        response = client.get(EMBED, DAY)
        assert response["X-Page-Cache"] == state
        assert directives(response["Content-Security-Policy"]) == {**EXPECTED_POLICY, "frame-ancestors": set(PARTNERS)}
        assert "X-Frame-Options" not in response
        # Every other page keeps refusing any frame.
        other = client.get(PROGRAMME, DAY)
        assert other["X-Page-Cache"] == state
        assert directives(other["Content-Security-Policy"]) == EXPECTED_POLICY
        assert other["X-Frame-Options"] == "DENY"
    assert directives(client.get("/en/")["Content-Security-Policy"]) == EXPECTED_POLICY


def test_partner_origins_hold_without_the_page_cache_and_on_a_304(client, programme, settings):
    settings.EMBED_ALLOWED_ORIGINS = PARTNERS
    first = client.get(EMBED, DAY)
    assert "X-Page-Cache" not in first
    assert directives(first["Content-Security-Policy"])["frame-ancestors"] == set(PARTNERS)
    again = client.get(EMBED, DAY, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert directives(again["Content-Security-Policy"])["frame-ancestors"] == set(PARTNERS)
    assert "X-Frame-Options" not in again


def test_a_304_from_the_page_cache_keeps_the_partner_origins(client, programme, settings, page_cache_on):
    settings.EMBED_ALLOWED_ORIGINS = PARTNERS
    # The first request revalidates (a browser with an older copy) and fills the cache; the second is a hit.
    etag = client.get(EMBED, DAY)["ETag"]
    cache.clear()
    for state in ("miss", "hit"):
        response = client.get(EMBED, DAY, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response["X-Page-Cache"] == state
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == set(PARTNERS)
        assert "X-Frame-Options" not in response


@pytest.mark.parametrize(
    "value",
    [
        "https://partner.example; script-src *",
        "partner.example",
        "https://partner.example/path",
        "https://partner.example 'unsafe-inline'",
        "javascript://partner.example",
        "*",
    ],
)
def test_a_value_that_is_not_an_origin_stops_the_start_up(monkeypatch, value):
    from festival.settings import env_origins

    monkeypatch.setenv("EMBED_ALLOWED_ORIGINS", f"https://fine.example,{value}")
    with pytest.raises(ImproperlyConfigured, match=r"EMBED_ALLOWED_ORIGINS: .* is not an origin"):
        env_origins("EMBED_ALLOWED_ORIGINS")


def test_origins_are_read_from_a_comma_separated_list(monkeypatch):
    from festival.settings import env_origins

    monkeypatch.setenv(
        "EMBED_ALLOWED_ORIGINS", " https://partner.example/ , http://localhost:8000,https://*.cinema.example,,"
    )
    assert env_origins("EMBED_ALLOWED_ORIGINS") == [
        "https://partner.example",
        "http://localhost:8000",
        "https://*.cinema.example",
    ]
    monkeypatch.delenv("EMBED_ALLOWED_ORIGINS")
    assert env_origins("EMBED_ALLOWED_ORIGINS") == []


# Cookies ----------------------------------------------------------------------------------------------------------


def assert_no_cookie(response):
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("origins", [[], PARTNERS])
def test_embed_sets_no_cookie_fresh_or_from_the_page_cache(client, programme, settings, page_cache_on, origins):
    settings.EMBED_ALLOWED_ORIGINS = origins
    for state in ("miss", "hit"):
        response = client.get(EMBED, DAY)
        assert response["X-Page-Cache"] == state
        assert_no_cookie(response)


def test_embed_sets_no_cookie_when_the_request_carries_a_language_preference(client, programme, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    response = client.get("/pl/idfa-2023/embed/programme/", DAY, headers={"Accept-Language": "de"})
    assert_no_cookie(response)
    # The address decides the language, not the preference.
    assert '<html lang="pl">' in response.content.decode()
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    for state in ("miss", "hit"):
        response = client.get(EMBED, DAY, headers={"Accept-Language": "uk"})
        assert response["X-Page-Cache"] == state
        assert_no_cookie(response)
        assert '<html lang="en">' in response.content.decode()
    cache.clear()


# Queries ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("query", [{}, {"subtitles": "en", "age": "16"}], ids=["unfiltered", "filtered"])
def test_embed_query_count_does_not_grow(client, edition, section, screen, count, query, django_assert_num_queries):
    make_day(edition, section, screen, count)
    # Last saved on 1 January 2020 (a version is the clock at the save): no recent move or cancellation to look up.
    Screening.objects.update(version=FIRST_CLOCK_VERSION)
    # As the programme page: the edition, venue and country options, sections, the day's screenings, their films,
    # their guests (unfiltered, read ahead together: one round trip on PostgreSQL).
    with django_assert_num_queries(7):
        response = client.get(EMBED, {"day": "2023-11-12", **query})
    assert len(keys(response)) == count
    with django_assert_num_queries(7):
        assert len(keys(client.get(PROGRAMME, {"day": "2023-11-12", **query}))) == count


def test_embed_answers_from_the_page_cache_without_queries(client, programme, page_cache_on, django_assert_num_queries):
    client.get(EMBED, DAY)
    with django_assert_num_queries(0):
        response = client.get(EMBED, DAY)
    assert response["X-Page-Cache"] == "hit"
    assert keys(response) == ["shorts-morning", "wwnfa-1"]


# In a browser: framed by a partner's page -------------------------------------------------------------------------


@pytest.fixture
def partner(live_server):
    """A partner's site at another origin (``127.0.0.1``, the festival's live server being at ``localhost``): one page
    framing the embed as docs/production.md shows, served from a real socket (Chromium checks where a frame's
    parent came from: a page made up by the browser itself counts as a public site, which may not frame a local
    one)."""
    assert "://localhost:" in live_server.url
    html = (
        "<!DOCTYPE html><html lang='en'><head><title>Partner</title></head><body>"
        f'<iframe src="{live_server.url}{EMBED}?day=2023-11-12" title="Festival programme" loading="lazy" '
        'width="600" height="800"></iframe></body></html>'
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def embed_frame(page):
    [frame] = [each for each in page.frames if each != page.main_frame]
    return frame


@pytest.fixture
def framed_programme(transactional_db, make_screening, edition, film):
    competition = Section.objects.create(edition=edition, key="competition", name="Competition", published=True)
    second = Film.objects.create(key="second-film", title="Second Film", published=True)
    make_screening(local(2023, 11, 12, 10), key="morning")
    make_screening(local(2023, 11, 12, 14), key="afternoon", section=competition, films=[second])


def listed(frame):
    return frame.locator("ol.screenings > li[data-screening]").evaluate_all(
        "items => items.map(item => item.dataset.screening)"
    )


@pytest.mark.browser
def test_a_partner_listed_in_the_setting_shows_the_embed_and_its_filters_work_inside_the_frame(
    page, framed_programme, partner, live_server, settings
):
    settings.EMBED_ALLOWED_ORIGINS = [partner]
    page.goto(f"{partner}/")
    page.frame_locator("iframe").locator("ol.screenings").wait_for()
    frame = embed_frame(page)
    assert listed(frame) == ["morning", "afternoon"]
    frame.locator("details.filters-box summary").click()
    frame.select_option("#f-section", "competition")
    with frame.expect_navigation():
        frame.get_by_role("button", name="Show screenings").click()
    # The partner's page stays; the frame shows the filtered embed.
    assert page.url == f"{partner}/"
    assert frame.url.startswith(f"{live_server.url}/en/idfa-2023/embed/programme/?day=2023-11-12&section=competition&")
    assert listed(frame) == ["afternoon"]
    assert frame.locator("#f-section").input_value() == "competition"
    assert frame.locator("ol.screenings a").first.get_attribute("target") == "_blank"


@pytest.mark.browser
def test_a_site_not_listed_cannot_frame_the_embed(page, framed_programme, partner, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://someone-else.example"]
    with page.expect_response(lambda response: "/embed/programme/" in response.url) as answer:
        page.goto(f"{partner}/")
    assert answer.value.status == 200
    # The browser refuses to show it (frame-ancestors): the frame holds its error page, not the programme.
    frame = embed_frame(page)
    for _attempt in range(100):
        if frame.url.startswith("chrome-error://"):
            break
        page.wait_for_timeout(100)
    assert frame.url == "chrome-error://chromewebdata/"
