"""Text shown in another language than the page's (a missing translation): escaped, and marked with its language.

Every element that holds a fallback text carries ``lang`` of the text's real language (``lang="en"`` on a
Ukrainian page when only English exists), and the text comes out escaped whatever it holds: a fallback is
the second path beside the page's own language, and each of its renderings is held here.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from films.models import Award, AwardResult, Film, FilmImage, JuryMember, Person, Selection

from .conftest import local, one_spelling, tiny_image

PAYLOAD = """<script>alert("x")</script> & 'q' "dq" <b>"""
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27; &quot;dq&quot; &lt;b&gt;"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def english(label):
    return f"{label} {PAYLOAD}"


class Holders(HTMLParser):
    """For each text node: the open elements around it, innermost last, as ``(tag, attributes)``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.texts = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        self.texts.append((data, list(self.stack)))


def parse(html):
    parser = Holders()
    parser.feed(html)
    parser.close()
    return parser


# Elements that hold plain text only, in the document's language: the document title, a select's options.
TEXT_ONLY = {"title", "option"}


def holders_of(html, label):
    """``(innermost element, nearest lang)`` of every text node holding ``label``'s whole English text.

    Text in ``<title>`` and ``<option>`` (plain text by definition) is left out.
    """
    found = []
    for data, stack in parse(html).texts:
        if english(label) in data and stack[-1][0] not in TEXT_ONLY:
            lang = next((attrs["lang"] for _tag, attrs in reversed(stack) if "lang" in attrs), None)
            found.append((stack[-1], lang))
    return found


def assert_inert(html):
    assert "<script>alert" not in html
    assert "<b>" not in html
    # The only script elements are the page's own (JSON-LD and the personal-programme script).
    for data, stack in parse(html).texts:
        if "alert(" in data:
            assert all(tag != "script" or attrs.get("type") == "application/ld+json" for tag, attrs in stack), stack


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def english_only(db, edition, section, screen, make_screening, monkeypatch):
    """An edition, section, film (and a sibling), award and jury statement with English text only."""
    edition.name_en = english("Edition name")
    edition.results_announced_at = datetime.datetime(2023, 11, 18, 20, 0, tzinfo=datetime.UTC)
    edition.save()
    section.name_en = english("Section name")
    section.description_en = english("Section description")
    section.competitive = True
    section.jury_statement_en = english("Jury statement")
    section.save()
    film = Film.objects.create(
        key="english-only",
        title_en=english("Film title"),
        tagline_en=english("Film tagline"),
        synopsis_en=english("Film synopsis"),
        original_title="Тільки англійською",
        year=2023,
        published=True,
    )
    sibling = Film.objects.create(key="sibling", title_en="Sibling", title_uk="Брат", published=True)
    Selection.objects.create(section=section, film=film, order=0)
    Selection.objects.create(section=section, film=sibling, order=1)
    director = Person.objects.create(key="director", name="Director", bio_en=english("Person bio"))
    film.credits.create(role="director", person=director)
    JuryMember.objects.create(section=section, person=Person.objects.create(key="juror", name="Juror"))
    award = Award.objects.create(edition=edition, section=section, key="best", name_en=english("Award name"))
    AwardResult.objects.create(award=award, film=film, citation_en=english("Award citation"))
    FilmImage.objects.create(film=film, kind="poster", image=tiny_image(), caption_en=english("Poster caption"))
    make_screening(local(2023, 11, 12, 19, 15), key="evening", films=[film])
    make_screening(local(2023, 11, 13, 10, 0), key="morning", films=[sibling, film])
    # During the edition, on the evening screening's day, after the announcement.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 19, 9, 0, tzinfo=datetime.UTC))
    return film


FILM = "/uk/films/english-only/"


def picture(class_):
    """A pattern of a card's thumbnail: the film's poster, its alt empty."""
    return (
        rf'<picture class="{class_}"><source type="image/webp" srcset="[^"]+" sizes="[^"]+">'
        r'<img src="[^"]+" srcset="[^"]+" sizes="[^"]+" width="8" height="6" alt="" loading="(?:eager|lazy)" '
        r'decoding="async"></picture>'
    )


PROGRAMME = "/uk/idfa-2023/programme/?day=2023-11-12"


def page(client, url, language="uk"):
    response = client.get(url)
    assert response.status_code == 200, url
    html = one_spelling(response.content.decode())
    assert_inert(html)
    assert f'<html lang="{language}">' in html
    return html


# The film page -------------------------------------------------------------------


def test_film_page_title_tagline_and_synopsis_fall_back_to_english_escaped_and_marked(client, english_only):
    html = page(client, FILM)
    assert f'<h1><span lang="en">Film title {ESCAPED}</span></h1>' in html
    assert f'<p class="film__tagline"><span lang="en">Film tagline {ESCAPED}</span></p>' in html
    assert f'<div class="film__synopsis" lang="en"><p>Film synopsis {ESCAPED}</p></div>' in html
    # The document title cannot hold markup: the text, escaped, without a span.
    assert f"<title>Film title {ESCAPED} (2023)" in html
    for label, tag in (("Film title", "span"), ("Film tagline", "span"), ("Film synopsis", "p")):
        [(element, lang)] = holders_of(html, label)
        assert element[0] == tag, label
        assert lang == "en", label


def test_film_page_fallback_section_edition_award_and_caption_are_marked(client, english_only):
    html = page(client, FILM)
    # Festival history: the edition and section names, each in its own span.
    assert (
        f'<li><span lang="en">Edition name {ESCAPED}</span>: <a href="/uk/idfa-2023/sections/best-of-fests/">'
        f'<span lang="en">Section name {ESCAPED}</span></a>'
    ) in html
    # Laurels: the award's name and the citation block.
    assert f'<a class="laurel__award" href="/uk/awards/best/"><span lang="en">Award name {ESCAPED}</span></a>' in html
    assert f'<blockquote class="laurel__citation" lang="en"><p>Award citation {ESCAPED}</p></blockquote>' in html
    # The poster leads the page (the film has no still); its caption's language is marked on the <img>.
    assert re.search(
        r'<img src="/media/films/renditions/[^"]+\.jpg" srcset="[^"]+" sizes="[^"]+" width="8" height="6" '
        rf'alt="Poster caption {re.escape(ESCAPED)}" lang="en" loading="eager" fetchpriority="high" decoding="async">',
        html,
    )
    for label in ("Edition name", "Section name", "Award name", "Award citation"):
        assert holders_of(html, label), label
        assert {lang for _element, lang in holders_of(html, label)} == {"en"}, label


def test_a_sibling_suggested_on_the_film_page_keeps_its_own_language(client, english_only):
    html = client.get("/uk/films/sibling/").content.decode()
    assert f'<li><a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a> (2023)</li>' in html
    assert "<h1>Брат</h1>" in html


# Lists of screenings -----------------------------------------------------------------


def test_programme_rows_mark_fallback_film_title_and_section_name(client, english_only):
    html = page(client, PROGRAMME)
    # Beside it, its poster's thumbnail: decorative (an empty alt), so no language to mark.
    assert re.search(
        rf'<ul class="screening__films"><li>{picture("screening__image")}<a href="/uk/films/english-only/">'
        + re.escape(f'<span lang="en">Film title {ESCAPED}</span></a></li></ul>'),
        html,
    )
    assert (
        f'<p class="screening__where"><a href="/uk/idfa-2023/sections/best-of-fests/"><span lang="en">Section name '
        f"{ESCAPED}</span></a> · "
    ) in html
    for label in ("Film title", "Section name"):
        assert [lang for _element, lang in holders_of(html, label)] == ["en"], label


def test_filtered_programme_rows_mark_fallback_film_title(client, english_only):
    """The filtered programme reads its rows through a queryset, not the precompiled day query."""
    html = page(client, PROGRAMME + "&section=best-of-fests")
    assert f'<a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a>' in html
    # The section's option in the filter is the name as text, escaped.
    assert f'<option value="best-of-fests" selected>Section name {ESCAPED}</option>' in html


def test_programme_grid_marks_fallback_film_title(client, english_only):
    html = page(client, PROGRAMME + "&view=grid")
    assert f'<br><a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a>' in html
    assert [lang for _element, lang in holders_of(html, "Film title")] == ["en"]


def test_home_page_marks_fallback_edition_and_section_names(client, english_only):
    html = page(client, "/uk/")
    assert f'<h1><span lang="en">Edition name {ESCAPED}</span></h1>' in html
    assert (
        f'<li><a href="/uk/idfa-2023/sections/best-of-fests/"><span lang="en">Section name {ESCAPED}</span></a></li>'
    ) in html
    for label in ("Edition name", "Section name", "Award name"):
        assert holders_of(html, label), label
        assert {lang for _element, lang in holders_of(html, label)} == {"en"}, label


def test_personal_programme_marks_fallback_film_title_and_section_name(client, english_only):
    html = page(client, "/uk/my-programme/?edition=idfa-2023&s=evening,morning")
    assert f'<p class="personal-programme__edition"><span lang="en">Edition name {ESCAPED}</span></p>' in html
    assert f'<li><a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a></li>' in html
    assert f'<a href="/uk/idfa-2023/sections/best-of-fests/"><span lang="en">Section name {ESCAPED}</span></a>' in html
    # The shorts programme lists the sibling in its own language, then the fallback.
    assert (
        '<ul class="screening__films"><li><a href="/uk/films/sibling/">Брат</a></li>'
        f'<li><a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a></li></ul>'
    ) in html


def test_venue_page_marks_fallback_film_title(client, english_only, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 9, 0, tzinfo=datetime.UTC))
    html = page(client, "/uk/venues/example-cinema/")
    assert f'<a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a>' in html
    assert [lang for _element, lang in holders_of(html, "Film title")] == ["en", "en"]


# Section, people, awards, search ------------------------------------------------------


def test_section_page_marks_fallback_name_description_title_and_tagline(client, english_only):
    html = page(client, "/uk/idfa-2023/sections/best-of-fests/")
    assert f'<h1><span lang="en">Section name {ESCAPED}</span></h1>' in html
    assert f'<div class="section__description" lang="en"><p>Section description {ESCAPED}</p></div>' in html
    assert re.search(
        rf'<li class="card">{picture("card__image")}'
        + re.escape(f'<a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a>'),
        html,
    )
    assert f'<br><span lang="en">Film tagline {ESCAPED}</span></li>' in html
    assert f"<title>Section name {ESCAPED} – Edition name {ESCAPED}" in html
    for label in ("Section name", "Section description", "Film title", "Film tagline"):
        assert holders_of(html, label), label
        assert {lang for _element, lang in holders_of(html, label)} == {"en"}, label


def test_person_page_marks_fallback_bio_and_film_title(client, english_only):
    html = page(client, "/uk/people/director/")
    assert f'<div class="bio" lang="en"><p>Person bio {ESCAPED}</p></div>' in html
    assert f'<li><a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a>: ' in html


def test_palmares_marks_fallback_competition_award_statement_and_citation(client, english_only):
    html = page(client, "/uk/idfa-2023/awards/")
    assert f'<h2 id="competition-best-of-fests"><span lang="en">Section name {ESCAPED}</span></h2>' in html
    assert f'<div class="jury-statement" lang="en"><p>Jury statement {ESCAPED}</p></div>' in html
    assert f'<blockquote class="citation" lang="en"><p>Award citation {ESCAPED}</p></blockquote>' in html
    assert f'<a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a>' in html
    for label in ("Section name", "Jury statement", "Award citation", "Award name", "Film title", "Edition name"):
        assert holders_of(html, label), label
        assert {lang for _element, lang in holders_of(html, label)} == {"en"}, label


def test_award_page_marks_fallback_film_title_and_citation(client, english_only):
    html = page(client, "/uk/awards/best/")
    assert f'<li class="award__winner"><a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}' in html
    assert f'<blockquote class="citation" lang="en"><p>Award citation {ESCAPED}</p></blockquote>' in html


def test_search_results_mark_fallback_film_title(client, english_only):
    html = page(client, "/uk/search/?q=film+title")
    assert re.search(
        rf'<li class="card">{picture("card__image")}'
        + re.escape(f'<a href="/uk/films/english-only/"><span lang="en">Film title {ESCAPED}</span></a> (2023)'),
        html,
    )
    assert [lang for _element, lang in holders_of(html, "Film title")] == ["en"]


def test_archive_marks_fallback_edition_name(client, english_only):
    html = page(client, "/uk/editions/")
    assert f'<a href="/uk/idfa-2023/programme/"><span lang="en">Edition name {ESCAPED}</span></a>' in html


# The page's own language: no lang attribute, still escaped ----------------------------------


def test_text_in_the_pages_own_language_is_escaped_and_not_marked(client, english_only):
    html = page(client, "/en/films/english-only/", "en")
    assert f"<h1>Film title {ESCAPED}</h1>" in html
    assert f'<p class="film__tagline">Film tagline {ESCAPED}</p>' in html
    assert f'<div class="film__synopsis"><p>Film synopsis {ESCAPED}</p></div>' in html
    programme = page(client, "/en/idfa-2023/programme/?day=2023-11-12", "en")
    assert f'<a href="/en/films/english-only/">Film title {ESCAPED}</a>' in programme
    assert f'<a href="/en/idfa-2023/sections/best-of-fests/">Section name {ESCAPED}</a> · ' in programme


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        ({"title_uk": "Дім", "title_en": "Home"}, ("Дім", "uk", False)),
        ({"title_en": "Home", "original_title_latin": "Dim", "original_title": "Дім"}, ("Home", "en", True)),
        ({"original_title_latin": "Dim", "original_title": "Дім"}, ("Dim", "und-Latn", True)),
        ({"original_title": "Дім"}, ("Дім", "und", True)),
        ({}, ("dim", "uk", False)),
        ({"key": None}, ("", "uk", False)),
    ],
)
def test_a_film_title_falls_back_to_english_then_the_transliteration_then_the_original_then_the_key(titles, expected):
    """On a Ukrainian page; ``film_title`` (rows as dicts) and ``title_reader`` (rows as tuples) choose alike."""
    from django.utils import translation

    from films.public import film_title, title_columns, title_reader

    row = {"title_uk": "", "title_en": "", "original_title_latin": "", "original_title": "", "key": "dim", **titles}
    with translation.override("uk"):
        title = film_title(row)
        read = title_reader()(tuple(row[column] for column in title_columns()))
    assert (title.text, title.lang, title.fallback) == expected
    assert (read.text, read.lang, read.fallback) == expected
    marked = f'<span lang="{expected[1]}">{expected[0]}</span>' if expected[2] else expected[0]
    assert title.__html__() == read.__html__() == marked
