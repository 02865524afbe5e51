"""Confirming applies exactly what was previewed: if the database changed since the preview so that the import
would do something else, it refuses, writes nothing and asks for a new preview (admin and command alike)."""

import copy
import io
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from films.catalogue import StalePreviewError, admin_views, import_catalogue
from films.demo.generator import Builder
from films.demo.plan import EXAMPLE_FILE
from films.models import Film, Person

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
DEMO = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
FILM = "we-will-not-fade-away"
URL = "/admin/films/import/"
STALE = (
    "The database has changed since this import was previewed, so it would no longer do what the preview showed; "
    "nothing was written. Preview the file again and check the changes before importing."
)


def row_counts():
    return {model.__name__: model.objects.count() for model in apps.get_app_config("films").get_models()}


def film_state():
    return Film.objects.filter(key=FILM).values().get()


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


@pytest.fixture
def demo_film(db):
    return Builder().import_example()


def preview(client):
    response = client.post(
        URL, {"file": SimpleUploadedFile("example.json", EXAMPLE_PATH.read_bytes(), content_type="application/json")}
    )
    assert response.status_code == 200
    return response


def confirm(client, response):
    form = response.context["confirm"]
    return client.post(URL, {"token": form.initial["token"], "preview": form.initial["preview"]})


# --------------------------------------------------------------------------- the admin


def test_a_stale_preview_is_refused_nothing_is_written_and_a_new_preview_is_shown(client, programmer, demo_film):
    previewed = preview(client)
    assert [change.field for change in previewed.context["report"].changes] == [
        "bio",
        "tagline",
        "synopsis",
        "synopsis",
    ]
    # Meanwhile a programmer edits the English synopsis, which the import would replace.
    Film.objects.filter(key=FILM).update(synopsis_en="Edited by a programmer after the preview.")
    before, film_before = row_counts(), film_state()

    refused = confirm(client, previewed)

    assert refused.status_code == 409
    assert refused.context["stale"] == [STALE]
    page = refused.content.decode()
    assert STALE in page
    assert "<h2>example.json: what the import would do</h2>" in page
    confirm_form = r'<form method="post" class="catalogue-confirm">\s*<input type="hidden" name="csrfmiddlewaretoken"'
    assert re.search(confirm_form, page)
    assert 'errornote">' not in page.replace('errornote catalogue-stale">', "")  # stale, but nothing wrong
    assert row_counts() == before
    assert film_state() == film_before
    assert not Film.objects.get(key=FILM).festival_history.filter(festival__key="idfa").exists()
    # The new preview shows the programmer's text as the old value; confirming it imports.
    synopsis = next(
        change for change in refused.context["report"].changes if (change.field, change.language) == ("synopsis", "en")
    )
    assert synopsis.old == "Edited by a programmer after the preview."
    done = confirm(client, refused)
    assert done.status_code == 200
    assert done.context["done"]
    page = done.content.decode()
    assert "<h2>example.json: what was imported</h2>" in page
    assert '<li class="success">Imported example.json.</li>' in page
    assert done.context["report"].changes == refused.context["report"].changes  # exactly what was previewed
    film = Film.objects.get(key=FILM)
    assert film.synopsis_en == EXAMPLE["films"][0]["synopsis"]["en"]
    assert film.synopsis_uk == DEMO["films"][0]["synopsis"]["uk"]


def test_a_record_created_since_the_preview_makes_it_stale(client, programmer):
    previewed = preview(client)
    import_catalogue([{"format": "festival-catalogue", "version": 1, "films": [{"key": FILM, "title": {"en": "X"}}]}])
    before = row_counts()
    refused = confirm(client, previewed)
    assert refused.status_code == 409
    assert row_counts() == before
    assert Film.objects.get(key=FILM).title_en == "X"
    assert Person.objects.count() == 0


def test_a_change_the_import_does_not_touch_leaves_the_preview_valid(client, programmer, demo_film):
    previewed = preview(client)
    Film.objects.filter(key=FILM).update(synopsis_de="Von einer Programmiererin nach der Vorschau geändert.")
    done = confirm(client, previewed)
    assert done.status_code == 200
    film = Film.objects.get(key=FILM)
    assert film.synopsis_en == EXAMPLE["films"][0]["synopsis"]["en"]
    assert film.synopsis_de == "Von einer Programmiererin nach der Vorschau geändert."


def test_an_altered_or_unsigned_confirmation_is_refused(client, programmer):
    previewed = preview(client)
    token = previewed.context["confirm"].initial["token"]
    for forged in ("", "not-signed", previewed.context["confirm"].initial["preview"][:-2] + "xx"):
        response = client.post(URL, {"token": token, "preview": forged})
        assert response.status_code == 400
    assert Film.objects.count() == 0


def test_a_confirmation_cannot_be_moved_to_another_upload(client, programmer):
    first = preview(client)
    second = client.post(
        URL,
        {
            "file": SimpleUploadedFile(
                "other.json",
                json.dumps({"format": "festival-catalogue", "version": 1, "films": []}).encode(),
                content_type="application/json",
            )
        },
    )
    response = client.post(
        URL,
        {"token": second.context["confirm"].initial["token"], "preview": first.context["confirm"].initial["preview"]},
    )
    assert response.status_code == 400
    assert response.context["errors"] == ["This preview cannot be confirmed; upload the file again."]
    assert Film.objects.count() == 0


def test_a_confirmation_names_its_own_upload_of_the_same_file_and_those_bytes(client, programmer):
    from films.catalogue import admin_views

    first, second = preview(client), preview(client)  # The same file twice: two uploads.
    first_preview = first.context["confirm"].initial["preview"]
    second_token = second.context["confirm"].initial["token"]
    refused = client.post(URL, {"token": second_token, "preview": first_preview})
    page = refused.content.decode()
    assert (refused.status_code, refused.context["errors"]) == (
        400,
        ["This preview cannot be confirmed; upload the file again."],
    )
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<form method="post" enctype="multipart/form-data"' in page
    # The upload's bytes changed on disk since its preview: refused too.
    first_token = first.context["confirm"].initial["token"]
    path = admin_views._upload_path(first_token)
    path.write_bytes(path.read_bytes() + b" ")
    refused = client.post(URL, {"token": first_token, "preview": first_preview})
    assert (refused.status_code, refused.context["errors"]) == (
        400,
        ["This preview cannot be confirmed; upload the file again."],
    )
    assert Film.objects.count() == 0


# --------------------------------------------------------------------------- the command and the function


def test_command_refuses_a_stale_fingerprint_and_writes_nothing(demo_film):
    out = io.StringIO()
    call_command("import_catalogue", str(EXAMPLE_PATH), "--dry-run", stdout=out)
    fingerprint = out.getvalue().splitlines()[-1].rsplit(" ", 1)[1]
    Film.objects.filter(key=FILM).update(tagline_en="Edited after the dry run.")
    before, film_before = row_counts(), film_state()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_catalogue", str(EXAMPLE_PATH), "--expect-fingerprint", fingerprint, stderr=err)
    assert err.getvalue().splitlines() == [STALE]
    assert row_counts() == before
    assert film_state() == film_before

    out = io.StringIO()
    call_command("import_catalogue", str(EXAMPLE_PATH), "--dry-run", stdout=out)
    fresh = out.getvalue().splitlines()[-1].rsplit(" ", 1)[1]
    assert fresh != fingerprint
    call_command("import_catalogue", str(EXAMPLE_PATH), "--expect-fingerprint", fresh, stdout=io.StringIO())
    assert Film.objects.get(key=FILM).tagline_en == EXAMPLE["films"][0]["tagline"]["en"]


def test_the_fingerprint_is_the_same_for_the_same_file_over_the_same_database(demo_film):
    first = import_catalogue([EXAMPLE_PATH], dry_run=True).fingerprint
    assert import_catalogue([EXAMPLE_PATH], dry_run=True).fingerprint == first
    document = copy.deepcopy(EXAMPLE)
    document["films"][0]["synopsis"]["en"] += " More."
    assert import_catalogue([document], dry_run=True).fingerprint != first
    with pytest.raises(StalePreviewError):
        import_catalogue([document], expected_fingerprint=first)
    assert import_catalogue([EXAMPLE_PATH], expected_fingerprint=first).fingerprint == first
