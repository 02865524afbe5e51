"""Programmers import a catalogue in the admin: upload, preview (nothing written), confirm."""

import copy
import json
import re
import stat
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from films.catalogue import admin_views
from films.models import Film, Person

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
URL = "/admin/films/import/"


def upload(content, name="catalogue.json"):
    if isinstance(content, dict):
        content = json.dumps(content, ensure_ascii=False).encode("utf-8")
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


def confirmation(response):
    """What the preview's confirm form posts: the upload's token and the signed preview."""
    return dict(response.context["confirm"].initial)


def test_url_is_the_admin_import_page():
    assert reverse("catalogue-import") == URL


def test_anonymous_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_permission_is_refused(client, db):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())}).status_code == 403
    assert Film.objects.count() == 0


def test_admin_index_links_to_the_import_for_programmers(client, programmer):
    response = client.get("/admin/")
    assert f'href="{URL}"' in response.content.decode()


def test_preview_shows_what_would_change_and_writes_nothing(client, programmer):
    response = client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())})
    assert response.status_code == 200
    page = response.content.decode()
    assert "catalogue.json: what the import would do" in page
    assert '<tr><th scope="row">film</th><td>1</td><td>0</td><td>0</td></tr>' in page
    assert '<tr><th scope="row">person</th><td>12</td><td>0</td><td>0</td></tr>' in page
    assert Film.objects.count() == 0
    assert Person.objects.count() == 0
    token = response.context["confirm"].initial["token"]
    assert client.session[admin_views.SESSION_KEY] == {token: "catalogue.json"}
    assert stat.S_IMODE(admin_views.UPLOAD_DIR.stat().st_mode) == 0o700  # Uploads are the server's alone.

    confirmed = client.post(URL, confirmation(response))
    assert confirmed.status_code == 200
    assert "catalogue.json: what was imported" in confirmed.content.decode()
    assert Film.objects.get().key == "we-will-not-fade-away"
    assert Person.objects.count() == 12
    assert client.session[admin_views.SESSION_KEY] == {}
    assert not admin_views._upload_path(token).exists()


def test_second_upload_is_previewed_as_left_alone(client, programmer):
    client.post(URL, confirmation(client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())})))
    response = client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())})
    assert '<tr><th scope="row">film</th><td>0</td><td>0</td><td>1</td></tr>' in response.content.decode()


def test_errors_are_listed_with_their_paths_and_nothing_is_kept(client, programmer):
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    document["films"][0]["credits"][3]["role"] = "directer"
    document["films"][0]["synopsis"]["fr"] = "x"
    response = client.post(URL, {"file": upload(document, "bad.json")})
    assert response.status_code == 400
    assert response.context["errors"] == [
        'films[0].credits[3].role: unknown role "directer"',
        'films[0].synopsis: language "fr" is not published by this site',
    ]
    page = response.content.decode()
    assert "bad.json was not imported: 2 errors; nothing was written." in page
    assert "<li>films[0].credits[3].role: unknown role &quot;directer&quot;</li>" in page
    assert "confirm" not in response.context or response.context.get("confirm") is None
    assert admin_views.SESSION_KEY not in client.session or client.session[admin_views.SESSION_KEY] == {}


def test_malformed_upload_gets_the_same_message_as_the_command(client, programmer):
    response = client.post(URL, {"file": upload(b'{"format": "festival-catalogue",\n "version": 1,,}', "bad.json")})
    assert response.context["errors"] == [
        "bad.json: malformed JSON at line 2, column 15: Expecting property name enclosed in double quotes"
    ]


def test_confirm_revalidates_and_refuses_what_became_wrong(client, programmer):
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    response = client.post(URL, {"file": upload(document)})
    # Between preview and confirm another screening takes the slot.
    other = copy.deepcopy(document)
    other["editions"][0]["screenings"][0]["key"] = "someone-elses"
    from films.catalogue import import_catalogue

    import_catalogue([other])
    confirmed = client.post(URL, confirmation(response))
    assert confirmed.status_code == 400
    assert confirmed.context["errors"][0].startswith(
        'editions[0].screenings[0].starts_at: overlaps screening "someone-elses" of edition "idfa-2023" in the database'
    )
    page = " ".join(confirmed.content.decode().split())
    assert '<p class="errornote"> catalogue.json was not imported: 1 error; nothing was written. </p>' in page


def test_a_post_without_a_file_names_the_missing_file(client, programmer):
    response = client.post(URL, {})
    page = response.content.decode()
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_file_error"><li>This field is required.</li></ul>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_import_page_offers_an_upload_of_at_most_20_mb(client, programmer):
    page = client.get(URL).content.decode()
    assert "<title>Import a catalogue | Django site admin</title>" in page
    assert "<p>Upload a catalogue file (at most 20 MB). You will see what it would create and update" in page
    assert '<input type="file" name="file" required aria-describedby="id_file_helptext" id="id_file">' in page


def expired(response):
    """The page's answer to a confirmation of an upload that expired or is someone else's: the upload again."""
    page = response.content.decode()
    return (
        response.status_code,
        re.findall(r'<ul class="errorlist catalogue-errors">\s*<li>([^<]+)</li>', page),
        "was not imported" in page,
        'name="csrfmiddlewaretoken"' in page and '<form method="post" enctype="multipart/form-data"' in page,
    )


EXPIRED = (400, ["This upload has expired or is not yours; upload the file again."], False, True)


def test_unknown_token_is_refused(client, programmer):
    assert expired(client.post(URL, {"token": "not-a-token"})) == EXPIRED


def test_an_upload_whose_file_is_gone_or_that_is_another_persons_is_refused(client, programmer):
    preview = client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())})
    other = Client()
    other.force_login(User.objects.create_superuser("other", password="pw"))
    assert expired(other.post(URL, confirmation(preview))) == EXPIRED
    admin_views._upload_path(confirmation(preview)["token"]).unlink()
    assert expired(client.post(URL, confirmation(preview))) == EXPIRED
    assert Film.objects.count() == 0
    assert Film.objects.count() == 0


def with_winner(citation="For courage."):
    """The example with a competition in its edition and the film as its winner."""
    document = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    edition = document["editions"][0]
    edition["sections"].append(
        {
            "key": "competition",
            "name": {"en": "Competition"},
            "competitive": True,
            "selections": [{"film": "we-will-not-fade-away"}],
        }
    )
    edition["awards"] = [
        {
            "key": "best-film",
            "section": "competition",
            "name": {"en": "Best Film"},
            "winners": [{"film": "we-will-not-fade-away", "citation": {"en": citation}}],
        }
    ]
    return document


def test_a_programmer_cannot_import_who_won(client, programmer):
    from films.models import Award, AwardResult

    response = client.post(URL, {"file": upload(with_winner())})
    assert response.status_code == 403
    assert response.context["errors"] == [
        "catalogue.json would change the results of idfa-2023/best-film (who won, or a citation), which only the "
        "awards staff decide: nothing was imported. Ask them to import it, or leave those winners out of the file."
    ]
    assert "confirm" not in response.context
    page = " ".join(response.content.decode().split())
    assert '<p class="errornote"> catalogue.json was not imported: 1 error; nothing was written. </p>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert (Film.objects.count(), Award.objects.count(), AwardResult.objects.count()) == (0, 0, 0)


def test_a_programmer_imports_a_file_whose_winners_are_already_stored(client, programmer):
    """Winners the database already holds are not a change of who won: the rest of the file imports."""
    from films.catalogue import import_catalogue
    from films.models import AwardResult

    import_catalogue([with_winner()])
    document = with_winner()
    document["films"][0]["runtime_minutes"] = 101
    response = client.post(URL, {"file": upload(document)})
    assert response.status_code == 200
    assert client.post(URL, confirmation(response)).status_code == 200
    assert Film.objects.get().runtime_minutes == 101
    assert list(AwardResult.objects.values_list("citation_en", flat=True)) == ["For courage."]

    changed = client.post(URL, {"file": upload(with_winner(citation="For bravery."))})  # A citation is a result's.
    assert changed.status_code == 403
    assert list(AwardResult.objects.values_list("citation_en", flat=True)) == ["For courage."]


def test_a_superuser_imports_who_won(client, db):
    from films.models import AwardResult

    client.force_login(User.objects.create_superuser("boss", password="pw"))
    response = client.post(URL, {"file": upload(with_winner())})
    assert response.status_code == 200
    assert client.post(URL, confirmation(response)).status_code == 200
    assert list(AwardResult.objects.values_list("film__key", "citation_en")) == [
        ("we-will-not-fade-away", "For courage.")
    ]


@pytest.mark.parametrize("codename", ["add_film", "change_structure"])
def test_half_of_the_programmers_rights_does_not_import(client, db, codename):
    """Importing takes both: adding films and changing the programme's structure (films/roles.py)."""
    user = User.objects.create_user("half", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="films", codename=codename))
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes())}).status_code == 403
    assert Film.objects.count() == 0


def test_an_import_confirmed_in_the_admin_is_a_revision_by_its_programmer_naming_the_file(client, programmer):
    from reversion.models import Version

    preview = client.post(URL, {"file": upload(EXAMPLE_PATH.read_bytes(), name="idfa-films.json")})
    assert client.post(URL, confirmation(preview)).status_code == 200
    (version,) = Version.objects.get_for_object(Film.objects.get())
    assert (version.revision.user, version.revision.get_comment()) == (
        programmer,
        "Imported from a catalogue file: idfa-films.json",
    )


def test_a_programmer_is_told_every_award_whose_winners_the_file_would_change(client, programmer):
    document = with_winner()
    edition = document["editions"][0]
    edition["awards"].append({**edition["awards"][0], "key": "jury-prize", "name": {"en": "Jury Prize"}})
    response = client.post(URL, {"file": upload(document)})
    assert response.status_code == 403
    assert response.context["errors"] == [
        "catalogue.json would change the results of idfa-2023/best-film, idfa-2023/jury-prize (who won, or a "
        "citation), which only the awards staff decide: nothing was imported. Ask them to import it, or leave those "
        "winners out of the file."
    ]


def test_an_upload_over_the_limit_is_refused_before_it_is_read_and_one_at_the_limit_is_read(client, programmer):
    from films.catalogue import MAX_FILE_BYTES

    over = client.post(URL, {"file": upload(b" " * (MAX_FILE_BYTES + 1))})
    assert over.status_code == 400
    assert over.context["errors"] == ["catalogue.json: the file is 20.1 MB; catalogue files may be at most 20 MB"]
    page = " ".join(over.content.decode().split())
    assert '<p class="errornote"> catalogue.json was not imported: 1 error; nothing was written. </p>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    at_the_limit = client.post(URL, {"file": upload(b" " * MAX_FILE_BYTES)})
    assert at_the_limit.context["errors"] == [
        "catalogue.json: malformed JSON at line 1, column 20971521: Expecting value"
    ]
