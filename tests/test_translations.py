"""The interface translations: every catalogue complete and up to date with the source, and really used.

The catalogues are films/locale/<lang>/LC_MESSAGES/django.po, one per language in settings.LANGUAGES except
English (the source language); scripts/messages brings them up to date and compiles them.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from films.models import Credit, Screen, Screening, Selection
from tests.conftest import local

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "films" / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# What makemessages must not look into: the same list as scripts/messages.
IGNORED = [".venv", "bench", "tests", "staticfiles", "media"]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext (msgfmt, xgettext) is not installed; scripts/setup installs it",
)


def po_path(lang):
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def msgids(path):
    """The (msgctxt, msgid, msgid_plural) of every live message of a .po/.pot file, header and obsolete
    (#~) messages excluded.

    gettext separates messages with blank lines; strings are kept as gettext writes them (escaped, continuation
    lines joined), which is enough to tell whether two files written by the gettext tools hold the same messages.
    """
    found = set()
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields, field = {}, None
        for line in block.splitlines():
            keyword = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if keyword:
                field = keyword.group(1)
                fields[field] = keyword.group(2)
            elif line.startswith('"') and field:
                fields[field] += line[1:-1]
        if fields.get("msgid"):
            found.add((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")))
    return found


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the source holds now: makemessages --keep-pot run on a copy of the project, so the
    repository is never written to."""
    copy = tmp_path_factory.mktemp("project") / "festival"

    def ignore(directory, names):
        skip = {"__pycache__", ".git", ".ruff_cache", ".pytest_cache", "node_modules"}
        if Path(directory) == ROOT:
            skip |= set(IGNORED)
        return [name for name in names if name in skip or name.endswith((".mo", ".sqlite3", ".pyc"))]

    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", "makemessages", "-l", LANGUAGES[0], "--keep-pot", "--no-obsolete"]
        + [f"--ignore={name}" for name in IGNORED],
        cwd=copy,
        env={**os.environ, "DEBUG": "true"},
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return msgids(copy / "films" / "locale" / "django.pot")


@pytest.fixture(scope="module")
def compiled():
    """Pages and gettext read the compiled .mo files: they must exist and be no older than the .po files."""
    for lang in LANGUAGES:
        po, mo = po_path(lang), po_path(lang).with_suffix(".mo")
        advice = "run scripts/messages (or manage.py compilemessages --ignore=.venv)"
        assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: {advice}"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo.relative_to(ROOT)} is older than its .po: {advice}"


# The catalogues ------------------------------------------------------------


def test_every_language_but_english_has_a_catalogue():
    assert LANGUAGES == ["uk", "pl", "de", "nl"]
    assert sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po")) == sorted(LANGUAGES)


@needs_gettext
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_valid_and_has_nothing_fuzzy(lang):
    result = subprocess.run(  # noqa: S603 - msgfmt on a file of the repository
        [shutil.which("msgfmt"), "--check", "--statistics", "-o", "/dev/null", str(po_path(lang))],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", statistics), statistics
    assert "#, fuzzy" not in po_path(lang).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "plural_forms"),
    [
        (
            "uk",
            "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
        ),
        ("pl", "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"),
        ("de", "nplurals=2; plural=(n != 1);"),
        ("nl", "nplurals=2; plural=(n != 1);"),
    ],
)
def test_catalogue_header_names_its_language_and_plural_forms(lang, plural_forms):
    header = "".join(re.findall(r'^"(.*)"$', po_path(lang).read_text(encoding="utf-8").split("\n\n")[0], re.M))
    assert f"Language: {lang}\\n" in header
    assert f"Plural-Forms: {plural_forms}\\n" in header


@needs_gettext
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_holds_exactly_the_messages_of_the_source(lang, extracted):
    committed = msgids(po_path(lang))
    assert len(extracted) > 400
    missing = sorted(extracted - committed, key=str)
    stale = sorted(committed - extracted, key=str)
    advice = f"films/locale/{lang} is out of date: run scripts/messages and translate"
    assert not missing, f"{advice}; missing from the catalogue ({len(missing)}): {missing[:10]}"
    assert not stale, f"{advice}; no longer in the source ({len(stale)}): {stale[:10]}"


# Translations in use ---------------------------------------------------------

KEY_STRINGS = {
    "uk": ("Світова прем'єра", "Квитки продано", "Режисер", "Програма"),
    "pl": ("Premiera światowa", "Wyprzedane", "Reżyseria", "Program"),
    "de": ("Weltpremiere", "Ausverkauft", "Regie", "Programm"),
    "nl": ("Wereldpremière", "Uitverkocht", "Regie", "Programma"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_labels_are_translated(lang, compiled):
    premiere, sold_out, director, programme = KEY_STRINGS[lang]
    with translation.override(lang):
        assert str(Selection.Premiere.WORLD.label) == premiere
        assert str(Screening.Status.SOLD_OUT.label) == sold_out
        assert str(Credit.Role.DIRECTOR.label) == director
        assert gettext("Programme") == programme


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("uk", "12 місць для візків не вміщається в зал на 10 місць."),
        ("pl", "12 miejsc dla wózków nie zmieści się w sali na 10 osób."),
        ("de", "12 Rollstuhlplätze passen nicht in einen Saal mit 10 Plätzen."),
        ("nl", "12 rolstoelplaatsen passen niet in een zaal voor 10 personen."),
    ],
)
def test_validation_message_is_translated_with_its_values(lang, message, venue, compiled):
    screen = Screen(venue=venue, key="small", name="Small", capacity=10, wheelchair_spaces=12)
    with translation.override(lang):
        with pytest.raises(ValidationError) as error:
            screen.full_clean()
        assert error.value.message_dict["wheelchair_spaces"] == [message]


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("uk", {1: "1 показ", 2: "2 покази", 5: "5 показів", 11: "11 показів", 21: "21 показ", 22: "22 покази"}),
        ("pl", {1: "1 pokaz", 2: "2 pokazy", 5: "5 pokazów", 12: "12 pokazów", 21: "21 pokazów", 22: "22 pokazy"}),
        ("de", {1: "1 Vorführung", 2: "2 Vorführungen", 21: "21 Vorführungen"}),
        ("nl", {1: "1 voorstelling", 2: "2 voorstellingen", 21: "21 voorstellingen"}),
    ],
)
def test_plural_forms_follow_the_language(lang, counts, compiled):
    with translation.override(lang):
        for count, text in counts.items():
            assert ngettext("%(counter)s screening", "%(counter)s screenings", count) % {"counter": count} == text


def test_ukrainian_programme_page_speaks_ukrainian(client, edition, make_screening, compiled):
    make_screening(local(2023, 11, 12, 19, 15))
    html = client.get("/uk/idfa-2023/programme/?day=2023-11-12").content.decode()
    assert '<html lang="uk">' in html
    assert '<a href="/uk/idfa-2023/programme/">Програма</a>' in html
    assert '<a href="/uk/editions/">Архів</a>' in html
    assert '<button type="submit">Показати покази</button>' in html
    assert '<option value="">Усі секції</option>' in html
    assert '<h2 id="screenings-heading">1 показ</h2>' in html
    for english in ("Show screenings", "All sections", "Clear filters", "Skip to content", "1 screening"):
        assert english not in html


def test_english_page_stays_english(client, edition, make_screening, compiled):
    make_screening(local(2023, 11, 12, 19, 15))
    html = client.get("/en/idfa-2023/programme/?day=2023-11-12").content.decode()
    assert '<a href="/en/idfa-2023/programme/">Programme</a>' in html
    assert '<h2 id="screenings-heading">1 screening</h2>' in html
