"""Helpers for the public pages: alternate-language URLs, translated text with its real language.

Pages render rows from lean ``values()`` querysets; the helpers here turn those rows
into display strings in Python, so that templates do little per row.
"""

from html import escape

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.encoding import escape_uri_path
from django.utils.html import format_html
from modeltranslation.utils import build_localized_fieldname


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def current_language():
    """The active language as one of the site's codes (``en`` when unknown)."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in language_codes() else settings.LANGUAGE_CODE


def lean(queryset):
    """``queryset`` without modeltranslation's rewriting, for ``values()`` that name language columns themselves.

    Its fallback iterator costs a Python step per row and column; pages here read ``title_en``,
    ``title_uk``... explicitly and choose the fallback themselves (``translated``, ``film_title``).
    """
    return queryset.rewrite(False) if hasattr(queryset, "rewrite") else queryset


# Alternate URLs -------------------------------------------------------------


def alternate_urls(request):
    """``{language: URL of this page in that language}``, query string kept.

    Built by reversing the resolved view under each language, so the language
    switcher and the ``hreflang`` links keep the visitor on the same page.
    """
    match = request.resolver_match
    query = request.META.get("QUERY_STRING")
    suffix = f"?{query}" if query else ""
    prefix = f"/{translation.get_language()}/"
    if match is not None and match.view_name and request.path.startswith(prefix):
        # A page under i18n_patterns: the URL patterns are not translated, so only the language prefix
        # differs (five reverse() calls cost half a millisecond a page). tests/test_pages_site.py holds
        # this to what reverse() gives for every public page.
        rest = escape_uri_path(request.path[len(prefix) :])
        return {code: f"/{code}/{rest}{suffix}" for code in language_codes()}
    urls = {}
    for code in language_codes():
        with translation.override(code):
            try:
                if match is None or not match.view_name:
                    raise NoReverseMatch
                urls[code] = reverse(match.view_name, args=match.args, kwargs=match.kwargs) + suffix
            except NoReverseMatch:
                urls[code] = reverse("home")
    return urls


# Translated text ------------------------------------------------------------


class Text(str):
    """A piece of content (a ``str``) that knows the language it is really in.

    ``fallback`` is true when that language is not the page's; rendered in a template,
    it is then wrapped in ``<span lang="..">`` so screen readers pronounce it right.
    """

    __slots__ = ("fallback", "lang")

    def __new__(cls, text, lang, fallback):
        value = super().__new__(cls, text or "")
        value.lang = lang
        value.fallback = fallback
        return value

    @property
    def text(self):
        return str.__str__(self)

    def __html__(self):
        if self.fallback and self:
            return format_html('<span lang="{}">{}</span>', self.lang, self.text)
        # The standard library's escape: the same five characters as Django's, at a fraction of the cost.
        return escape(self.text)


def _get(source, name):
    if isinstance(source, dict):
        return source.get(name)
    return getattr(source, name, None)


def fallback_order(language=None):
    """The page's language, then the default language, then the others in the site's order."""
    language = language or current_language()
    order = [language]
    for code in [settings.LANGUAGE_CODE, *language_codes()]:
        if code not in order:
            order.append(code)
    return order


def translated(source, field, language=None):
    """The text of translated ``field`` of a model instance or a ``values()`` row, with its language.

    Falls back to English, then to the other site languages (modeltranslation
    itself only falls back to English).
    """
    language = language or current_language()
    for code in fallback_order(language):
        value = _get(source, build_localized_fieldname(field, code))
        if value:
            return Text(value, code, code != language)
    return Text("", language, False)


def film_title(source, language=None, prefix=""):
    """A film's display title: in the page's language, then English, then the original title.

    ``prefix`` reads ``values()`` rows fetched through a relation (``film__``).
    """
    language = language or current_language()
    for code in (language, settings.LANGUAGE_CODE):
        value = _get(source, f"{prefix}{build_localized_fieldname('title', code)}")
        if value:
            return Text(value, code, code != language)
    latin = _get(source, f"{prefix}original_title_latin")
    if latin:
        return Text(latin, "und-Latn", True)
    original = _get(source, f"{prefix}original_title")
    if original:
        return Text(original, "und", True)
    return Text(_get(source, f"{prefix}key") or "", language, False)


def title_columns(prefix=""):
    """The columns ``film_title`` reads, for ``values()``."""
    language = current_language()
    columns = [f"{prefix}{build_localized_fieldname('title', language)}"]
    if language != settings.LANGUAGE_CODE:
        columns.append(f"{prefix}{build_localized_fieldname('title', settings.LANGUAGE_CODE)}")
    return [*columns, f"{prefix}original_title_latin", f"{prefix}original_title", f"{prefix}key"]


def title_reader():
    """A function from the values of ``title_columns()``'s columns, in order, to ``film_title``'s result.

    For ``values_list()`` rows: the same choice as ``film_title`` without a lookup per column.
    """
    language = current_language()
    codes = [language] if language == settings.LANGUAGE_CODE else [language, settings.LANGUAGE_CODE]
    choices = [(code, code != language) for code in codes] + [("und-Latn", True), ("und", True)]

    def read(values):
        for (code, fallback), value in zip(choices, values, strict=False):  # the last value, the key, has no choice
            if value:
                return Text(value, code, fallback)
        return Text(values[-1] or "", language, False)

    return read


def translated_columns(field, prefix=""):
    """All language columns of a translated field, for ``values()`` rows read by ``translated``."""
    return [f"{prefix}{build_localized_fieldname(field, code)}" for code in language_codes()]
