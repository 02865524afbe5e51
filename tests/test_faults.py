"""Faults: the database going away gives a clean 503 and the site recovers; a failed upload write is no 500."""

import sys
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.utils import InterfaceError, OperationalError

from festival.views import server_error
from films.models import FilmImage

from .conftest import tiny_image


def failing_cursor(error):
    return mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error)


def unreachable_database():
    """As when PostgreSQL is stopped: no cursor can be opened, so no query runs."""
    return mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused: is the server running?"),
    )


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), InterfaceError("connection already closed")],
)
def test_database_outage_gives_503_page_with_retry_after_and_recovers(client, catalogue_film, error):
    with failing_cursor(error):
        response = client.get("/en/films/we-will-not-fade-away/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "The programme is temporarily unavailable" in text
    assert "Traceback" not in text
    assert "server closed" not in text
    assert "connection already closed" not in text
    assert "<style" not in text
    assert "<script" not in text
    # The database is back: the next request is served normally, without a restart.
    assert client.get("/en/films/we-will-not-fade-away/").status_code == 200


def test_database_outage_in_the_admin_gives_503(admin_client, catalogue_film):
    with failing_cursor(OperationalError("could not connect to server")):
        response = admin_client.get("/admin/films/film/")
    assert response.status_code == 503


def test_admin_login_page_answers_503_while_the_database_cannot_be_reached(client, db):
    # The login form itself reads nothing from the database: it must not show when logging in cannot work.
    assert "id_password" in client.get("/admin/login/").content.decode()
    with unreachable_database():
        response = client.get("/admin/login/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "The programme is temporarily unavailable" in text
    assert "id_password" not in text
    assert "connection refused" not in text
    assert client.get("/admin/login/").status_code == 200


def test_a_cached_public_page_is_served_while_the_database_cannot_be_reached(client, catalogue_film, settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    url = "/en/films/we-will-not-fade-away/"
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with unreachable_database():
        cached = client.get(url)
        not_cached = client.get(url.replace("/en/", "/de/"))
    cache.clear()
    assert cached.status_code == 200
    assert cached["X-Page-Cache"] == "hit"
    assert cached.content == first.content
    assert not_cached.status_code == 503
    assert not_cached["Retry-After"] == "30"


def test_database_error_outside_a_view_reaches_handler500_as_503(rf):
    request = rf.get("/en/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_other_errors_give_the_standalone_500_page(rf, django_assert_num_queries, db):
    request = rf.get("/en/")
    with django_assert_num_queries(0):
        try:
            raise ValueError("a bug")
        except ValueError:
            response = server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert "a bug" not in text
    assert sys.exc_info() == (None, None, None)


def test_not_found_page_is_the_standalone_404(client, db, django_assert_num_queries):
    response = client.get("/en/films/no-such-film/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text
    assert "<style" not in text
    assert "<script" not in text
    assert '<link rel="stylesheet" href="/static/films/error.css">' in text


def test_error_pages_use_no_inline_css_or_js():
    from pathlib import Path

    for name in ("404.html", "500.html", "503.html", "lockout.html"):
        text = (Path(__file__).resolve().parent.parent / "templates" / name).read_text()
        for inline in ("<style", "<script", "style="):
            assert inline not in text, (name, inline)
        assert "{% extends" not in text, name


# Uploads -----------------------------------------------------------------------------


def test_failed_storage_write_during_upload_shows_an_error_and_keeps_what_was_saved(admin_client, film):
    kept = FilmImage.objects.create(film=film, image=tiny_image(name="kept.png"), caption="Kept")
    with mock.patch(
        "django.core.files.storage.FileSystemStorage._save", side_effect=OSError(28, "No space left on device")
    ):
        response = admin_client.post(
            "/admin/films/filmimage/add/",
            {"film": film.pk, "kind": "still", "image": tiny_image(name="new.png"), "caption_en": "New", "order": 1},
            follow=True,
        )
    assert response.status_code == 200
    assert "The uploaded file could not be stored, so nothing was saved." in response.content.decode()
    assert list(FilmImage.objects.values_list("caption", flat=True)) == ["Kept"]
    kept.refresh_from_db()
    with kept.image.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert connection.is_usable()


def test_a_page_made_stale_just_before_an_outage_is_served_stale_instead_of_a_503(
    client, catalogue_film, settings, django_capture_on_commit_callbacks
):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    url = "/en/films/we-will-not-fade-away/"
    first = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_film.title = "Retitled Before The Outage"
        catalogue_film.save()
    with unreachable_database():
        stale = client.get(url)
        never_cached = client.get(url.replace("/en/", "/de/"))
    cache.clear()
    assert (stale.status_code, stale["X-Page-Cache"]) == (200, "stale")
    assert stale.content == first.content
    # No shared cache may keep the old copy as current.
    assert "s-maxage=0" in stale["Cache-Control"].replace(" ", "").split(",")
    assert never_cached.status_code == 503
    # Back: the change shows.
    assert "Retitled Before The Outage" in client.get(url).content.decode()
