"""The printed programme, ``/<lang>/<edition>/programme.pdf``: a day, a section or the whole edition (A5, WeasyPrint).

Built on the example film's catalogue entry (``shared/catalogue``), imported as an editor would: IDFA 2023 with one
published screening of *We Will Not Fade Away* on Sunday 12 November 2023, 19:15 in Amsterdam. What the booklet
says is read back from the PDF itself (pypdf) and from the HTML that WeasyPrint makes it from.
"""

import datetime
import io
from pathlib import Path

import pypdf
import pytest
from django.core.cache import cache
from django.utils import translation

from films import cache as page_cache
from films.catalogue import import_catalogue
from films.models import Credit, Edition, Film, Person, Screen, Screening, ScreeningFilm, ScreeningGuest, Section
from films.programme_pdf import BASE_URL, RefusedURL, programme_html, render_pdf, url_fetcher, weasyprint

from .conftest import local

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
DAY_URL = "/{lang}/idfa-2023/programme.pdf?day=2023-11-12"
A5 = (419.527559, 595.275591)  # 148 × 210 mm in PostScript points


@pytest.fixture
def example(db):
    """The example film's edition as its catalogue file has it."""
    import_catalogue([EXAMPLE])
    return Edition.objects.select_related("festival").get(key="idfa-2023")


@pytest.fixture
def screen(example):
    return Screen.objects.get(key="example-cinema-1")


def add_screening(edition, screen, starts_at, films, *, key, minutes=100, section="best-of-fests", **fields):
    screening = Screening.objects.create(
        edition=edition,
        key=key,
        screen=screen,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        section=Section.objects.get(edition=edition, key=section) if section else None,
        published=fields.pop("published", True),
        **fields,
    )
    for order, film in enumerate(films):
        ScreeningFilm.objects.create(screening=screening, film=film, order=order)
    return screening


def get_pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response


def pdf_pages(content):
    """The text of each page as WeasyPrint set it, one line per line."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def html_of(edition, language, **chosen):
    with translation.override(language):
        return programme_html(edition, chosen)


def screening_block(html):
    """The HTML of the first screening in the document."""
    start = html.index('<div class="screening')
    return html[start : html.index("</div>", start) + len("</div>")]


# What a day's booklet says -------------------------------------------------------------------------------------


def test_a_days_booklet_is_one_a5_page_with_the_screening_exactly(client, example):
    response = get_pdf(client, DAY_URL.format(lang="en"))
    assert response["Content-Disposition"] == 'inline; filename="idfa-2023-2023-11-12.pdf"'
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A5)
    assert reader.metadata.title == "IDFA 2023: Programme – Sunday, 12 Nov 2023"
    assert reader.metadata.author == "International Documentary Film Festival Amsterdam"
    # 19:15–20:55 in Amsterdam in 24-hour time (English's own TIME_FORMAT would say "19:15"); the page number
    # is in the bottom margin box. The first page has no running header.
    assert pdf_pages(response.content) == [
        "International Documentary Film Festival Amsterdam\n"
        "IDFA 2023\n"
        "Programme\n"
        "8 Nov 2023 – 19 Nov 2023\n"
        "Sunday, 12 Nov 2023\n"
        "19:15–20:55 · Example Cinema 1 · Best of Fests\n"
        "We Will Not Fade Away\n"
        "Ми не згаснемо · Director: Alisa Kovalenko · 100 min · National premiere\n"
        "Subtitles: English · 4 wheelchair spaces\n"
        "1"
    ]


def test_the_html_it_is_made_from_is_a_document_in_the_page_language(example):
    html = html_of(example, "en", day=datetime.date(2023, 11, 12))
    assert html.startswith("<!DOCTYPE html>\n")
    assert '<html lang="en">' in html
    assert screening_block(html) == (
        '<div class="screening screening--scheduled">\n'
        '<p class="screening__when">19:15–20:55 · Example Cinema 1 · Best of Fests</p>\n'
        '<p class="screening__title">We Will Not Fade Away</p>\n'
        '<p class="screening__film">Ми не згаснемо · Director: Alisa Kovalenko · 100 min · National premiere</p>\n'
        '<p class="screening__notes">Subtitles: English · 4 wheelchair spaces</p>\n'
        "</div>"
    )


def test_ukrainian_booklet_prints_the_ukrainian_title_once(client, example):
    [text] = pdf_pages(get_pdf(client, DAY_URL.format(lang="uk")).content)
    lines = text.splitlines()
    assert "Ми не згаснемо" in lines
    assert "We Will Not Fade Away" not in text
    # The original title is the Ukrainian one: not repeated under it.
    assert not any(line.startswith("Ми не згаснемо ·") for line in lines)
    assert "19:15–20:55 · Example Cinema 1 · Best of Fests" in lines
    html = html_of(example, "uk", day=datetime.date(2023, 11, 12))
    assert '<html lang="uk">' in html
    assert '<p class="screening__title">Ми не згаснемо</p>' in html
    # The section has no Ukrainian name: its English one is marked as English.
    assert (
        '<p class="screening__when">19:15–20:55 · Example Cinema 1 · <span lang="en">Best of Fests</span></p>' in html
    )


def test_a_language_without_the_title_falls_back_to_english_marked_as_english(client, example):
    [text] = pdf_pages(get_pdf(client, DAY_URL.format(lang="pl")).content)
    assert "We Will Not Fade Away" in text.splitlines()
    html = html_of(example, "pl", day=datetime.date(2023, 11, 12))
    assert '<html lang="pl">' in html
    assert '<p class="screening__title" lang="en">We Will Not Fade Away</p>' in html
    assert '<h1 class="cover__edition" lang="en">IDFA 2023</h1>' in html


def test_access_markers_guests_and_status_are_printed(client, example, screen):
    screening = Screening.objects.get(key="idfa-2023-wwnfa-1")
    screening.captions = True
    screening.status = Screening.Status.SOLD_OUT
    screening.save()
    screen.step_free = True
    screen.save()
    ScreeningGuest.objects.create(
        screening=screening, person=Person.objects.get(key="alisa-kovalenko"), qa=True, intro=True
    )
    html = html_of(example, "en", day=datetime.date(2023, 11, 12))
    assert screening_block(html) == (
        '<div class="screening screening--sold-out">\n'
        '<p class="screening__when">19:15–20:55 · Example Cinema 1 · Best of Fests · Sold out</p>\n'
        '<p class="screening__title">We Will Not Fade Away</p>\n'
        '<p class="screening__film">Ми не згаснемо · Director: Alisa Kovalenko · 100 min · National premiere</p>\n'
        '<p class="screening__notes">Subtitles: English · Captions for the deaf and hard of hearing · '
        "Step-free access · 4 wheelchair spaces · Introduction and Q&amp;A with Alisa Kovalenko</p>\n"
        "</div>"
    )
    [text] = pdf_pages(get_pdf(client, DAY_URL.format(lang="en")).content)
    assert "19:15–20:55 · Example Cinema 1 · Best of Fests · Sold out" in text.splitlines()
    assert "Introduction and Q&A with Alisa Kovalenko" in text


def test_a_cancelled_screening_says_so(example):
    Screening.objects.filter(key="idfa-2023-wwnfa-1").update(status=Screening.Status.CANCELLED)
    html = html_of(example, "en", day=datetime.date(2023, 11, 12))
    assert '<div class="screening screening--cancelled">' in html
    assert '<p class="screening__when">19:15–20:55 · Example Cinema 1 · Best of Fests · Cancelled</p>' in html


def test_an_online_screening_is_printed_as_online_once(example):
    film = Film.objects.get(key="we-will-not-fade-away")
    add_screening(example, None, local(2023, 11, 12, 9, 0), [film], key="online-1", audience=Screening.Audience.ONLINE)
    html = html_of(example, "en", day=datetime.date(2023, 11, 12))
    assert screening_block(html) == (
        '<div class="screening screening--scheduled">\n'
        '<p class="screening__when">09:00–10:40 · Online · Best of Fests</p>\n'
        '<p class="screening__title">We Will Not Fade Away</p>\n'
        '<p class="screening__film">Ми не згаснемо · Director: Alisa Kovalenko · 100 min · National premiere</p>\n'
        "</div>"
    )


def test_a_shorts_programme_lists_every_film_in_running_order(client, example, screen):
    shorts = []
    for index, (title, minutes) in enumerate([("Short Alpha", 12), ("Short Beta", 9), ("Short Gamma", 21)]):
        film = Film.objects.create(key=f"short-{index}", title=title, runtime_minutes=minutes, published=True)
        shorts.append(film)
    Credit.objects.create(
        film=shorts[1], role=Credit.Role.DIRECTOR, person=Person.objects.create(key="beta-maker", name="Beta Maker")
    )
    add_screening(example, screen, local(2023, 11, 12, 10, 0), shorts, key="shorts-1", minutes=45)
    text = pdf_pages(get_pdf(client, DAY_URL.format(lang="en")).content)[0]
    lines = text.splitlines()
    start = lines.index("10:00–10:45 · Example Cinema 1 · Best of Fests")
    assert lines[start : start + 7] == [
        "10:00–10:45 · Example Cinema 1 · Best of Fests",
        "Short Alpha",
        "12 min",
        "Short Beta",
        "Director: Beta Maker · 9 min",
        "Short Gamma",
        "21 min",
    ]
    # Before the evening screening: the day in time order.
    assert lines.index("We Will Not Fade Away") > start


# Drafts -------------------------------------------------------------------------------------------------------------


def test_drafts_are_not_printed(client, example, screen):
    """A draft film inside a published screening keeps that screening out whole, as on the programme page; a draft
    screening and a screening in a draft section are not printed either."""
    draft = Film.objects.create(key="draft-short", title="Draft Short", published=False)
    published = Film.objects.create(key="public-short", title="Public Short", published=True)
    add_screening(example, screen, local(2023, 11, 12, 10, 0), [published, draft], key="with-draft", minutes=40)
    add_screening(example, screen, local(2023, 11, 12, 12, 0), [published], key="draft-screening", published=False)
    Section.objects.create(edition=example, key="hidden", name="Hidden Section", published=False)
    add_screening(example, screen, local(2023, 11, 12, 14, 0), [published], key="in-hidden", section="hidden")
    html = html_of(example, "en", day=datetime.date(2023, 11, 12))
    for mark in ("Draft Short", "Public Short", "Hidden Section", "10:00", "12:00", "14:00"):
        assert mark not in html, mark
    [text] = pdf_pages(get_pdf(client, DAY_URL.format(lang="en")).content)
    assert "Draft Short" not in text
    assert "Public Short" not in text
    assert text.count("We Will Not Fade Away") == 1
    # The programme page shows the same.
    page = client.get("/en/idfa-2023/programme/?day=2023-11-12").content.decode()
    assert "Public Short" not in page


def test_an_unpublished_edition_has_no_booklet(client, example):
    Edition.objects.filter(pk=example.pk).update(published=False)
    assert client.get(DAY_URL.format(lang="en")).status_code == 404
    assert client.get("/en/no-such-edition/programme.pdf").status_code == 404


# Section, whole edition, several pages ------------------------------------------------------------------------------


def test_a_sections_booklet_covers_every_day_and_names_the_section(client, example, screen):
    film = Film.objects.get(key="we-will-not-fade-away")
    add_screening(example, screen, local(2023, 11, 14, 11, 30), [film], key="wwnfa-2")
    other = Section.objects.create(edition=example, key="other", name="Other Section", published=True)
    add_screening(example, screen, local(2023, 11, 13, 18, 0), [film], key="elsewhere", section=other.key)
    response = get_pdf(client, "/en/idfa-2023/programme.pdf?section=best-of-fests")
    assert response["Content-Disposition"] == 'inline; filename="idfa-2023-best-of-fests.pdf"'
    [text] = pdf_pages(response.content)
    lines = text.splitlines()
    assert lines[:4] == [
        "International Documentary Film Festival Amsterdam",
        "IDFA 2023",
        "Programme: Best of Fests",
        "8 Nov 2023 – 19 Nov 2023",
    ]
    assert [line for line in lines if line.endswith(" Nov 2023") and "–" not in line] == [
        "Sunday, 12 Nov 2023",
        "Tuesday, 14 Nov 2023",
    ]
    assert "18:00–19:40 · Example Cinema 1 · Other Section" not in lines
    whole = get_pdf(client, "/en/idfa-2023/programme.pdf")
    assert whole["Content-Disposition"] == 'inline; filename="idfa-2023-programme.pdf"'
    assert "18:00–19:40 · Example Cinema 1 · Other Section" in pdf_pages(whole.content)[0].splitlines()
    both = get_pdf(client, "/en/idfa-2023/programme.pdf?day=2023-11-14&section=best-of-fests")
    assert both["Content-Disposition"] == 'inline; filename="idfa-2023-best-of-fests-2023-11-14.pdf"'
    assert "11:30–13:10 · Example Cinema 1 · Best of Fests" in pdf_pages(both.content)[0].splitlines()
    assert "19:15–20:55 · Example Cinema 1 · Best of Fests" not in pdf_pages(both.content)[0].splitlines()


def test_a_long_day_runs_over_pages_numbered_with_the_edition_and_day_in_the_header(client, example):
    venue_screens = [
        Screen.objects.create(venue=Screen.objects.get(key="example-cinema-1").venue, key=f"room-{n}", name=f"Room {n}")
        for n in range(4)
    ]
    film = Film.objects.get(key="we-will-not-fade-away")
    for index in range(40):
        add_screening(
            example,
            venue_screens[index % 4],
            local(2023, 11, 13, 8 + index // 4, 0),
            [film],
            key=f"long-{index}",
            minutes=40,
        )
    response = get_pdf(client, "/en/idfa-2023/programme.pdf?day=2023-11-13")
    pages = pdf_pages(response.content)
    assert len(pages) == 3
    assert pages[0].splitlines()[:5] == [
        "International Documentary Film Festival Amsterdam",
        "IDFA 2023",
        "Programme",
        "8 Nov 2023 – 19 Nov 2023",
        "Monday, 13 Nov 2023",
    ]
    assert pages[0].splitlines()[-1] == "1"
    for number, text in enumerate(pages[1:], start=2):
        # The running header (edition, then the day, on one line) and the page number, in the margin boxes: drawn
        # after the page's content.
        assert text.splitlines()[-2:] == ["IDFA 2023 Monday, 13 Nov 2023", str(number)], number
    assert pages[1].startswith("11:00–11:40 · Example Cinema, Room 0 · Best of Fests\n")
    assert sum(text.count("We Will Not Fade Away") for text in pages) == 40


# Refused input ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("day=2023-12-01", "day=2023-12-01: The edition does not run on that day."),
        ("day=12-11-2023", "day=12-11-2023: Enter a valid date."),
        ("section=nope", "section=nope: Select a valid choice. nope is not one of the available choices."),
        ("section=hidden", "section=hidden: Select a valid choice. hidden is not one of the available choices."),
        (
            "day=2024-01-01&section=nope",
            "day=2024-01-01: The edition does not run on that day.; "
            "section=nope: Select a valid choice. nope is not one of the available choices.",
        ),
    ],
)
def test_a_day_or_section_the_edition_does_not_have_is_a_400_naming_it(client, example, query, message):
    Section.objects.create(edition=example, key="hidden", name="Hidden", published=False)
    response = client.get(f"/en/idfa-2023/programme.pdf?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"The programme cannot be printed: {message}"


@pytest.mark.parametrize(
    ("query", "address"),
    [
        ("day=2023-11-12&utm_source=newsletter", "/en/idfa-2023/programme.pdf?day=2023-11-12"),
        ("section=best-of-fests&day=2023-11-12", "/en/idfa-2023/programme.pdf?day=2023-11-12&section=best-of-fests"),
        ("day=2023-11-13&day=2023-11-12", "/en/idfa-2023/programme.pdf?day=2023-11-12"),
        ("day=", "/en/idfa-2023/programme.pdf"),
        ("nonce=1", "/en/idfa-2023/programme.pdf"),
    ],
)
def test_any_other_spelling_of_the_address_is_redirected_to_the_one_the_cache_keeps(client, example, query, address):
    """Each spelling would be a page of its own in the cache: a nonce must not make the booklet render again."""
    response = client.get(f"/en/idfa-2023/programme.pdf?{query}")
    assert response.status_code == 301
    assert response["Location"] == address


@pytest.mark.parametrize("name", ["day", "section", "no-such-filter"])
def test_garbage_in_the_query_string_is_refused_or_redirected_never_a_server_error(client, example, name):
    from urllib.parse import urlencode

    from .test_security_querystrings import GARBAGE

    for value in GARBAGE:
        query = urlencode({name: value.encode("utf-8", "surrogatepass")})
        response = client.get(f"/en/idfa-2023/programme.pdf?{query}")
        # Refused with a message, or (blank, or not a filter) sent to the booklet's one address: never rendered.
        assert response.status_code in (301, 400), (name, value, response.status_code)
        if response.status_code == 301:
            assert response["Location"] == "/en/idfa-2023/programme.pdf", (name, value)


def test_only_get_and_head(client, example):
    assert client.post(DAY_URL.format(lang="en")).status_code == 405


# Escaping -----------------------------------------------------------------------------------------------------------


def test_markup_in_a_title_is_printed_as_text(client, example):
    Film.objects.filter(key="we-will-not-fade-away").update(title_en="<b>& Fade Away", original_title="<i>Ми")
    html = html_of(example, "en", day=datetime.date(2023, 11, 12))
    assert '<p class="screening__title">&lt;b&gt;&amp; Fade Away</p>' in html
    assert '<p class="screening__film">&lt;i&gt;Ми · Director: Alisa Kovalenko' in html
    assert "<b>" not in html
    lines = pdf_pages(get_pdf(client, DAY_URL.format(lang="en")).content)[0].splitlines()
    assert "<b>& Fade Away" in lines
    assert "<i>Ми · Director: Alisa Kovalenko · 100 min · National premiere" in lines


# Nothing fetched from outside ---------------------------------------------------------------------------------------


def test_the_url_fetcher_serves_our_static_files_and_refuses_everything_else():
    fetcher = url_fetcher()
    response = fetcher.fetch(f"{BASE_URL}static/films/css/programme-pdf.css")
    assert response.read().startswith(b"/* The printed programme")
    for url in (
        "https://example.org/logo.png",
        "http://127.0.0.1:8000/static/films/css/site.css",
        "file:///etc/passwd",
        f"{BASE_URL}static/../../festival/settings.py",
        f"{BASE_URL}media/films/poster.jpg",
        f"{BASE_URL}static/films/css/missing.css",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_a_document_naming_remote_resources_renders_without_fetching_them(monkeypatch):
    from urllib import request

    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to open a URL")

    monkeypatch.setattr(request.OpenerDirector, "open", no_network)
    pdf = render_pdf(
        '<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="https://example.org/x.css"></head>'
        '<body><p>Text</p><img src="https://example.org/x.png"><img src="/static/films/css/nothing.png"></body></html>'
    )
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) == ["Text\n1"]


# The page cache -----------------------------------------------------------------------------------------------------


@pytest.fixture
def page_cache_on(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    page_cache.local_pages.clear()
    yield
    cache.clear()
    page_cache.local_pages.clear()


def test_the_booklet_is_served_from_the_page_cache_until_the_programme_changes(
    client, example, page_cache_on, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = DAY_URL.format(lang="en")
    first = get_pdf(client, url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get_pdf(client, url)
    assert second["X-Page-Cache"] == "hit"
    # The bytes, type and file name as stored: a binary body survives the cache unchanged.
    assert second.content == first.content
    assert second["Content-Type"] == "application/pdf"
    assert second["Content-Disposition"] == 'inline; filename="idfa-2023-2023-11-12.pdf"'
    assert second["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    # From another process's empty memory: read back from the shared cache, still the same bytes.
    page_cache.local_pages.clear()
    assert get_pdf(client, url).content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        film = Film.objects.get(key="we-will-not-fade-away")
        film.title_en = "We Will Not Fade Away (restored)"
        film.save()
    changed = get_pdf(client, url)
    assert changed["X-Page-Cache"] == "miss"
    assert "We Will Not Fade Away (restored)" in pdf_pages(changed.content)[0].splitlines()
    assert get_pdf(client, url)["X-Page-Cache"] == "hit"


def test_each_language_and_filter_is_its_own_cache_entry(client, example, page_cache_on):
    get_pdf(client, DAY_URL.format(lang="en"))
    assert get_pdf(client, DAY_URL.format(lang="uk"))["X-Page-Cache"] == "miss"
    assert get_pdf(client, "/en/idfa-2023/programme.pdf")["X-Page-Cache"] == "miss"
    assert get_pdf(client, DAY_URL.format(lang="en"))["X-Page-Cache"] == "hit"
    # A refused filter is never stored.
    assert client.get("/en/idfa-2023/programme.pdf?day=2024-01-01").status_code == 400
    assert "X-Page-Cache" not in client.get("/en/idfa-2023/programme.pdf?day=2024-01-01")


# The programme page links to it -------------------------------------------------------------------------------------


def test_the_programme_page_links_the_days_booklet_and_the_chosen_sections(client, example):
    html = client.get("/en/idfa-2023/programme/?day=2023-11-12").content.decode()
    assert '<a href="/en/idfa-2023/programme.pdf?day=2023-11-12" type="application/pdf">Print (PDF)</a>' in html
    assert "Print this section (PDF)" not in html
    html = client.get("/en/idfa-2023/programme/?day=2023-11-12&section=best-of-fests").content.decode()
    assert '<a href="/en/idfa-2023/programme.pdf?day=2023-11-12" type="application/pdf">Print (PDF)</a>' in html
    assert (
        '<a href="/en/idfa-2023/programme.pdf?section=best-of-fests" type="application/pdf">'
        "Print this section (PDF)</a>" in html
    )


def test_a_booklet_is_built_again_only_when_what_it_prints_changes(client, example, screen, settings, monkeypatch):
    """With the page cache off: the same day's booklet is built once; a change on another day leaves it alone; a
    change to what it prints builds it again."""
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0
    cache.clear()
    built = []
    html = weasyprint().HTML
    original = html.write_pdf

    def counting(self, *args, **kwargs):
        built.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(html, "write_pdf", counting)
    url = "/en/idfa-2023/programme.pdf?day=2023-11-12"
    first = client.get(url).content
    assert client.get(url).content == first
    assert len(built) == 1
    film = Film.objects.get(key="we-will-not-fade-away")
    add_screening(example, screen, local(2023, 11, 14, 10), [film], key="another-day")  # Not on the 12th.
    assert client.get(url).content == first
    assert len(built) == 1
    add_screening(example, screen, local(2023, 11, 12, 9), [film], key="same-day")
    changed = client.get(url).content
    assert len(built) == 2
    assert changed != first
    cache.clear()
