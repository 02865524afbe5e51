"""The public pages' text helpers (films/public.py), without a database: which language a translated text comes
from, how a fallback is marked and escaped, the columns the pages read, and the same page in other languages."""

from types import SimpleNamespace

import pytest
from django.urls import resolve
from django.utils import translation

from films.public import (
    Text,
    alternate_urls,
    current_language,
    fallback_order,
    lean,
    title_columns,
    translated,
    translated_columns,
)

ALL = {"name_en": "Best Film", "name_uk": "Найкращий фільм", "name_pl": "", "name_de": None, "name_nl": "Beste film"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["en", "uk", "pl", "de", "nl"]),
        ("uk", ["uk", "en", "pl", "de", "nl"]),
        ("nl", ["nl", "en", "uk", "pl", "de"]),
    ],
)
def test_the_fallback_order_is_the_page_then_english_then_the_others_in_the_sites_order(language, expected):
    assert fallback_order(language) == expected
    with translation.override(language):
        assert fallback_order() == expected


@pytest.mark.parametrize(
    ("values", "page", "expected"),
    [
        (ALL, "uk", ("Найкращий фільм", "uk", False)),
        # Empty and missing texts are passed over: English next.
        (ALL, "pl", ("Best Film", "en", True)),
        (ALL, "de", ("Best Film", "en", True)),
        # Without English, the others in the site's order: Ukrainian before Dutch.
        ({**ALL, "name_en": ""}, "pl", ("Найкращий фільм", "uk", True)),
        ({"name_nl": "Beste film"}, "de", ("Beste film", "nl", True)),
        ({"name_nl": "Beste film"}, "nl", ("Beste film", "nl", False)),
        ({}, "pl", ("", "pl", False)),
    ],
)
def test_a_translated_text_says_the_language_it_is_really_in(values, page, expected):
    for source in (values, SimpleNamespace(**values)):  # a values() row, a model instance
        with translation.override(page):
            text = translated(source, "name")
        assert (text.text, text.lang, text.fallback) == expected
        text = translated(source, "name", language=page)
        assert (text.text, text.lang, text.fallback) == expected


@pytest.mark.parametrize(
    ("active", "expected"),
    [("uk", "uk"), ("de-at", "de"), ("pt", "en"), (None, "en")],
)
def test_the_current_language_is_one_of_the_sites(active, expected):
    with translation.override(active):
        assert current_language() == expected


def test_text_in_the_pages_language_is_escaped_and_a_fallback_marked_with_its_language():
    tricky = "<b>Tom & \"Jerry\"</b> 'n' co"
    escaped = "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &#x27;n&#x27; co"
    assert Text(tricky, "en", False).__html__() == escaped
    assert Text(tricky, "uk", True).__html__() == f'<span lang="uk">{escaped}</span>'
    # An empty fallback text is nothing, not an empty span.
    assert Text("", "uk", True).__html__() == ""
    assert Text(None, "uk", False) == ""
    assert str(Text("Дім", "uk", True)) == "Дім"


def test_the_columns_a_page_reads_for_a_title_and_a_translated_field():
    with translation.override("en"):
        assert title_columns() == ["title_en", "original_title_latin", "original_title", "key"]
    with translation.override("uk"):
        assert title_columns("film__") == [
            "film__title_uk",
            "film__title_en",
            "film__original_title_latin",
            "film__original_title",
            "film__key",
        ]
    assert translated_columns("name", "section__") == [
        "section__name_en",
        "section__name_uk",
        "section__name_pl",
        "section__name_de",
        "section__name_nl",
    ]


def test_lean_leaves_what_is_not_a_translated_queryset_as_it_is():
    rows = [{"title_en": "Home"}]
    assert lean(rows) is rows


def alternates(rf, path, language="en", match=True):
    """``alternate_urls`` of ``path`` (resolved in its own language) on a page in ``language``."""
    request = rf.get(path)
    with translation.override(path.split("/")[1] if match else language):
        request.resolver_match = resolve(request.path) if match else None
    with translation.override(language):
        return alternate_urls(request)


def test_the_same_page_in_each_language_keeps_its_path_quoted_and_its_query(rf):
    assert alternates(rf, "/uk/idfa-2023/my-programme/t%C3%B6k%20n.ics?s=1&s=2", "uk") == {
        code: f"/{code}/idfa-2023/my-programme/t%C3%B6k%20n.ics?s=1&s=2" for code in ("en", "uk", "pl", "de", "nl")
    }


def test_a_page_outside_the_languages_or_without_a_match_offers_each_languages_home(rf):
    # The identity stylesheet is one address for all languages.
    assert alternates(rf, "/identity.css") == dict.fromkeys(("en", "uk", "pl", "de", "nl"), "/identity.css")
    homes = {code: f"/{code}/" for code in ("en", "uk", "pl", "de", "nl")}
    assert alternates(rf, "/en/no-such-page/", match=False) == homes
    # A page named under another language's prefix than the active one: reversed in each language.
    assert alternates(rf, "/uk/editions/", "en") == {code: f"/{code}/editions/" for code in homes}
