"""The preview lists every change to existing records field by field, old and new value, and flags what it would
clear or shorten: the same listing (films.catalogue.importer.diff) in the admin and in ``import_catalogue
--dry-run``. New records are counted, not listed."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from films.catalogue import admin_views, import_catalogue
from films.catalogue.importer import FieldChange
from films.demo.generator import Builder
from films.demo.plan import EXAMPLE_FILE
from films.models import Film, Screening

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
DEMO = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
FILM = "we-will-not-fade-away"
SCREENING = "idfa-2023/idfa-2023-wwnfa-1"
URL = "/admin/films/import/"


def example():
    return copy.deepcopy(EXAMPLE)


def upload(document, name="catalogue.json"):
    content = json.dumps(document, ensure_ascii=False).encode("utf-8") if isinstance(document, dict) else document
    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(admin_views, "UPLOAD_DIR", tmp_path / "uploads")


@pytest.fixture
def programmer(db, client):
    user = User.objects.create_user("programmer", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="films", codename__in=["add_film", "change_structure"])
    )
    client.force_login(user)
    return user


def shortened_document():
    """The example with one language cleared, a synopsis cut, a credit dropped and a screening sold out."""
    document = example()
    film = document["films"][0]
    film["tagline"] = {"uk": ""}
    film["synopsis"] = {"en": "Five teenagers in the Donbas."}
    del film["credits"][-1]
    screening = document["editions"][0]["screenings"][0]
    screening["status"] = "sold-out"
    screening["note"] = {"uk": "Розпродано."}
    return document


def example_with_a_ukrainian_tagline():
    document = example()
    document["films"][0]["tagline"]["uk"] = "Рік, який я пам’ятаю найкраще."
    return document


# --------------------------------------------------------------------------- what the listing holds


def test_the_example_over_the_demo_film_lists_exactly_the_texts_it_replaces(db):
    Builder().import_example()
    report = import_catalogue([EXAMPLE_PATH], dry_run=True)
    demo_film, shared_film = DEMO["films"][0], EXAMPLE["films"][0]
    assert report.changes == [
        FieldChange(
            "person", "alisa-kovalenko", "bio", "en", DEMO["people"][0]["bio"]["en"], EXAMPLE["people"][0]["bio"]["en"]
        ),
        FieldChange("film", FILM, "tagline", "en", demo_film["tagline"]["en"], shared_film["tagline"]["en"]),
        FieldChange("film", FILM, "synopsis", "en", demo_film["synopsis"]["en"], shared_film["synopsis"]["en"]),
        FieldChange("film", FILM, "synopsis", "pl", demo_film["synopsis"]["pl"], shared_film["synopsis"]["pl"]),
    ]
    assert report.flagged_changes == []  # every new text is longer
    assert report.updated["film"] == [FILM]
    assert Film.objects.get(key=FILM).synopsis_en == demo_film["synopsis"]["en"]  # a dry run


@pytest.mark.django_db
def test_clearing_and_shortening_are_listed_and_flagged():
    import_catalogue([EXAMPLE_PATH])
    film = EXAMPLE["films"][0]
    import_catalogue([example_with_a_ukrainian_tagline()])
    report = import_catalogue([shortened_document()], dry_run=True)
    changes = {(change.kind, change.key, change.field, change.language): change for change in report.changes}
    assert list(changes) == [
        ("film", FILM, "tagline", "uk"),
        ("film", FILM, "synopsis", "en"),
        ("film", FILM, "credits", ""),
        ("screening", SCREENING, "status", ""),
        ("screening", SCREENING, "note", "uk"),
    ]
    tagline = changes["film", FILM, "tagline", "uk"]
    assert (tagline.old, tagline.new, tagline.flag) == ("Рік, який я пам’ятаю найкраще.", None, "clears")
    synopsis = changes["film", FILM, "synopsis", "en"]
    assert (synopsis.old, synopsis.new, synopsis.flag) == (
        film["synopsis"]["en"],
        "Five teenagers in the Donbas.",
        "shortens",
    )
    credits = changes["film", FILM, "credits", ""]
    assert (len(credits.old), len(credits.new), credits.flag) == (12, 11, "shortens")
    assert credits.old[0] == "director: alisa-kovalenko"
    assert credits.old[6] == "producer: valery-kalmykov for trueman-production"
    assert (credits.removed, credits.added, credits.reordered) == (["co-producer: stephane-siohan"], [], False)
    status = changes["screening", SCREENING, "status", ""]
    assert (status.old, status.new, status.flag) == ("scheduled", "sold-out", "")  # a choice is not "shortened"
    note = changes["screening", SCREENING, "note", "uk"]
    assert (note.old, note.new, note.flag) == (None, "Розпродано.", "")
    assert [change.field for change in report.flagged_changes] == ["tagline", "synopsis", "credits"]


@pytest.mark.django_db
def test_new_records_are_counted_not_listed():
    report = import_catalogue([EXAMPLE_PATH], dry_run=True)
    assert report.changes == []
    assert report.created["film"] == [FILM]
    assert len(report.created["person"]) == 12


@pytest.mark.django_db
def test_a_changed_relation_is_listed_by_key_and_a_reorder_is_noticed():
    import_catalogue([EXAMPLE_PATH])
    document = example()
    edition = document["editions"][0]
    edition["venues"][0]["screens"].append({"key": "example-cinema-2", "name": "Example Cinema 2"})
    edition["screenings"][0]["screen"] = "example-cinema-2"
    credits = document["films"][0]["credits"]
    credits[0], credits[1] = credits[1], credits[0]
    report = import_catalogue([document], dry_run=True)
    by_field = {change.field: change for change in report.changes}
    assert (by_field["screen"].kind, by_field["screen"].key) == ("screening", SCREENING)
    assert (by_field["screen"].old, by_field["screen"].new) == ("example-cinema-1", "example-cinema-2")
    assert (by_field["credits"].removed, by_field["credits"].added, by_field["credits"].reordered) == ([], [], True)
    assert by_field["credits"].flag == ""


# --------------------------------------------------------------------------- the command


def test_the_listing_shows_a_text_of_70_characters_whole_and_numbers_and_booleans_as_in_the_file():
    from films.catalogue.importer.diff import FieldChange, change_lines

    seventy = "é" * 70
    changes = [
        FieldChange("film", "f", "synopsis", "en", seventy, "y" * 71, text=True),
        FieldChange("film", "f", "year", "", 2023, 2024),
        FieldChange("film", "f", "published", "", False, True),
    ]
    assert change_lines(changes) == [
        "Changes to existing records: 3 field(s), 0 of them clear or shorten what is there.",
        "  film f",
        f"    synopsis [en]: “{seventy}” -> “{'y' * 69}…” (71 characters)",
        "    year: 2023 -> 2024",
        "    published: false -> true",
    ]


@pytest.mark.django_db
def test_command_dry_run_lists_every_change_with_old_and_new_values_and_flags(tmp_path):
    import_catalogue([EXAMPLE_PATH])
    import_catalogue([example_with_a_ukrainian_tagline()])
    document = shortened_document()
    document["films"][0]["countries"] = ["PL", "UA", "FR"]
    path = tmp_path / "shortened.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_catalogue", str(path), "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Dry run: nothing was written."
    assert "film: 0 created, 1 updated, 0 unchanged" in lines
    start = lines.index("Changes to existing records: 6 field(s), 3 of them clear or shorten what is there.")
    assert lines[start + 1 :] == [
        f"  film {FILM}",
        "    countries: 3 item(s) -> 3 item(s)",
        "      (in a new order)",
        "    !! CLEARS: tagline [uk]: “Рік, який я пам’ятаю найкраще.” -> (empty)",
        "    !! SHORTENS: synopsis [en]: “The people of the Donbas region of Ukraine have been living with war …” "
        "(1023 characters) -> “Five teenagers in the Donbas.”",
        "    !! SHORTENS: credits: 12 item(s) -> 11 item(s)",
        "      - co-producer: stephane-siohan",
        f"  screening {SCREENING}",
        "    status: “scheduled” -> “sold-out”",
        "    note [uk]: (empty) -> “Розпродано.”",
        "Fingerprint of this plan (for --expect-fingerprint): "
        + import_catalogue([document], dry_run=True).fingerprint,
    ]
    assert Screening.objects.get().status == "scheduled"  # a dry run
    assert Film.objects.get().tagline_uk == "Рік, який я пам’ятаю найкраще."


# --------------------------------------------------------------------------- the admin


def test_admin_preview_lists_every_change_and_flags_clearing(client, programmer):
    import_catalogue([EXAMPLE_PATH])
    import_catalogue([example_with_a_ukrainian_tagline()])
    response = client.post(URL, {"file": upload(shortened_document())})
    assert response.status_code == 200
    report = response.context["report"]
    assert [(change.field, change.language, change.flag) for change in report.changes] == [
        ("tagline", "uk", "clears"),
        ("synopsis", "en", "shortens"),
        ("credits", "", "shortens"),
        ("status", "", ""),
        ("note", "uk", ""),
    ]
    page = response.content.decode()
    assert "Changes to existing records" in page
    assert "3 changes clear or shorten what is there: marked below." in page
    assert f'<th scope="rowgroup" rowspan="3">film {FILM}</th>' in page
    assert f'<th scope="rowgroup" rowspan="2">screening {SCREENING}</th>' in page
    tagline_row = page[page.index("<td>tagline</td>") :]
    tagline_row = tagline_row[: tagline_row.index("</tr>")]
    assert "<td>uk</td>" in tagline_row
    assert "<td>Рік, який я пам’ятаю найкраще.</td>" in tagline_row
    assert "(empty)" in tagline_row
    assert '<strong class="catalogue-flag">⚠ CLEARS</strong>' in tagline_row
    assert '<strong class="catalogue-flag">⚠ SHORTENS</strong>' in page
    assert "<del>co-producer: stephane-siohan</del>" in page
    assert "<td>scheduled</td>" in page
    assert "<td>sold-out</td>" in page
    assert Film.objects.get().tagline_uk == "Рік, який я пам’ятаю найкраще."  # nothing written yet


def test_admin_preview_of_new_records_lists_no_field_changes(client, programmer):
    response = client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())})
    assert response.status_code == 200
    assert response.context["report"].changes == []
    assert "Changes to existing records" not in response.content.decode()


@pytest.mark.django_db
def test_records_new_in_the_same_file_are_named_by_their_keys_in_a_changed_relation():
    """A stored film's credits, tags, history, a stored section's selection and a stored person's filmography changed
    to name records that the same file adds: the preview names them by key, as it does the stored ones (not by a
    number); a filmography entry without a year is listed by its title alone."""
    import_catalogue([EXAMPLE_PATH])
    document = example()
    document["people"].append({"key": "new-editor", "name": "New Editor"})
    document["companies"].append({"key": "new-sales", "name": "New Sales", "country": "FR"})
    film = document["films"][0]
    film["credits"].append({"role": "editing", "person": "new-editor", "company": "new-sales"})
    film["company_credits"].append({"role": "world-sales", "company": "new-sales"})
    film["tags"].append({"key": "new-tag", "name": {"en": "New tag"}})
    film["festival_history"].append({"festival": "A New Festival", "year": 2024, "awards": [{"name": "Prize"}]})
    second = {"key": "second-film", "title": {"en": "Second Film"}, "year": 2023}
    document["films"].append(second)
    document["editions"][0]["sections"][0]["selections"].append({"film": "second-film"})
    filmography = document["people"][0]["filmography"]
    filmography += [{"title": "Untitled"}, {"year": 2024, "title": "Two", "film": "second-film"}]
    report = import_catalogue([document], dry_run=True)
    added = {change.field: change.added for change in report.changes}
    assert added["credits"] == ["editing: new-editor for new-sales"]
    assert added["company_credits"] == ["world-sales: new-sales"]
    assert added["tags"] == ["new-tag"]
    assert added["festival_history"] == ["2024 a-new-festival, Prize"]
    assert added["selections"] == ["second-film"]
    assert added["filmography"] == ["Untitled", "2024 Two = second-film"]
