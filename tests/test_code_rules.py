"""Rules of the code itself (issue #12): pages come from templates, and querysets from Django's public API.

Speed comes from lean querysets and the page cache, never from Django's private internals, and HTML is written by
templates (or by ``format_html`` where one tag wraps a value), never by f-strings in Python.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path for folder in ("films", "festival") for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts
)

# Django's internals that a queryset compiled by hand would reach for; ``compiler.compile()`` inside a custom
# expression's ``as_sql``/``as_<vendor>`` is the documented API and is not among them.
INTERNALS = re.compile(
    r"_iterable_class|\.get_compiler\(|\bquery\.(?:selected|values_select|annotation_select|extra_select)\b"
    r"|\bcompiler\.(?:select|col_count|as_sql)\b|\.connection\.pipeline\("
)
# WeasyPrint imported anywhere but ``films.programme_pdf.weasyprint()``, which undoes what its import does to Pillow.
WEASYPRINT_IMPORT = re.compile(r"^\s*(?:import weasyprint\b|from weasyprint\b)")
# An f-string that opens an HTML tag: markup built in Python.
HTML_IN_FSTRING = re.compile(r"""\bf(["'])[^"'\n]*<[a-zA-Z/!]""")


def offending_lines(pattern):
    found = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_sources_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in SOURCES}
    assert {"films/queries.py", "films/public.py", "films/views/rows.py", "festival/settings.py"} <= names


def test_no_django_internals_are_used():
    assert offending_lines(INTERNALS) == []


def test_weasyprint_is_imported_in_one_place_only():
    """Its import makes Pillow accept truncated images process-wide; the one place that imports it turns that off."""
    everywhere = SOURCES + sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "bench").glob("*.py"))
    found = [
        (path.relative_to(ROOT).as_posix(), line.strip())
        for path in everywhere
        for line in path.read_text(encoding="utf-8").splitlines()
        if WEASYPRINT_IMPORT.search(line)
    ]
    assert [path for path, _line in found] == ["films/programme_pdf.py", "films/programme_pdf.py"], found


def test_no_html_is_built_in_python_strings():
    assert offending_lines(HTML_IN_FSTRING) == []


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (INTERNALS, "if queryset._iterable_class is ValuesIterable:"),
        (INTERNALS, "compiler = queryset.query.get_compiler(using=using)"),
        (INTERNALS, "names = list(query.selected or [])"),
        (INTERNALS, "fields = compiler.select[0 : compiler.col_count]"),
        (HTML_IN_FSTRING, """return f'<span lang="{lang}">{text}</span>'"""),
        (WEASYPRINT_IMPORT, "    from weasyprint import HTML"),
        (WEASYPRINT_IMPORT, "import weasyprint"),
        (HTML_IN_FSTRING, 'html = f"<li>{item}</li>"'),
    ],
)
def test_the_rules_recognise_what_they_forbid(pattern, line):
    assert pattern.search(line)


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (INTERNALS, "moment, zone = (compiler.compile(expression) for expression in expressions)"),
        (HTML_IN_FSTRING, "return format_html('<span lang=\"{}\">{}</span>', lang, text)"),
        (HTML_IN_FSTRING, 'url = f"{path}?{query}"'),
    ],
)
def test_the_rules_leave_the_public_api_alone(pattern, line):
    assert not pattern.search(line)
