"""Production serving: check --deploy, gunicorn settings, scripts/serve, connection pooling, media, /healthz."""

import json
import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "festival.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "DATABASE_URL": "sqlite:////tmp/festival-check-deploy.sqlite3",
}


def clean_env(**extra):
    """The current environment without what would change the settings, plus ``extra``."""
    names = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL", "DATABASE_POOL", "FESTIVAL_TESTING"}
    names |= {name for name in os.environ if name.startswith(("SECURE_", "PYTEST_"))}
    env = {name: value for name, value in os.environ.items() if name not in names}
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_production_environment():
    result = manage("check", "--deploy", env=clean_env(**PRODUCTION_ENV))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_a_missing_hsts_setting():
    env = clean_env(**{**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": "0"})
    result = manage("check", "--deploy", env=env)
    assert "security.W004" in result.stderr + result.stdout


def test_settings_refuse_to_load_without_secret_key():
    result = manage("check", env=clean_env(ALLOWED_HOSTS="festival.example.org"))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_serve_script_refuses_to_start_without_secret_key():
    result = subprocess.run(
        ["bash", "scripts/serve"], cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "SECRET_KEY is not set; refusing to start" in result.stderr


def settings_in_subprocess(**extra):
    code = (
        "import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'festival.settings'); "
        "django.setup(); from django.conf import settings; d = settings.DATABASES['default']; "
        "print(json.dumps({'conn_max_age': d['CONN_MAX_AGE'], 'health': d['CONN_HEALTH_CHECKS'], "
        "'pool': d['OPTIONS'].get('pool'), 'page_cache': settings.FESTIVAL_PAGE_CACHE_SECONDS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env(**extra), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgres_uses_persistent_checked_connections_by_default():
    loaded = settings_in_subprocess(SECRET_KEY="x" * 60, DATABASE_URL="postgres://u@127.0.0.1:5432/festival")
    assert loaded == {"conn_max_age": 60, "health": True, "pool": None, "page_cache": 300}


def test_database_pool_switch_turns_on_psycopg_pool_with_conn_max_age_zero():
    loaded = settings_in_subprocess(
        SECRET_KEY="x" * 60,
        DATABASE_URL="postgres://u@127.0.0.1:5432/festival",
        DATABASE_POOL="true",
        DATABASE_POOL_MAX_SIZE="6",
    )
    assert loaded["conn_max_age"] == 0
    assert loaded["pool"] == {"min_size": 2, "max_size": 6, "timeout": 10.0}


def test_database_pool_connects_on_postgresql(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's")
    # The test database (the one named in DATABASE_URL may not exist).
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'festival.settings'); django.setup(); "
        "from django.db import connection; connection.ensure_connection(); "
        "print(type(connection.pool).__name__); "
        "c = connection.cursor(); c.execute('SELECT 41 + 1'); print(c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(SECRET_KEY="x" * 60, DATABASE_URL=url, DATABASE_POOL="true"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ConnectionPool", "42"]


def gunicorn_config(monkeypatch, **env):
    for name in (
        "WEB_CONCURRENCY", "PORT", "BIND_HOST", "CACHE_URL", "FESTIVAL_PAGE_CACHE_SECONDS", "FESTIVAL_PREBUILD_BOOKLETS"
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_and_bind_come_from_the_environment(monkeypatch):
    config = gunicorn_config(monkeypatch, WEB_CONCURRENCY="3", PORT="9123", CACHE_URL="redis://127.0.0.1:6379/0")
    assert config["workers"] == 3
    assert config["bind"] == "0.0.0.0:9123"
    assert "%(M)s" in config["access_log_format"]


def test_gunicorn_default_workers_are_two_per_core_plus_one_capped(monkeypatch):
    config = gunicorn_config(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/0")
    assert config["workers"] == min(2 * os.cpu_count() + 1, 8)
    assert config["bind"] == "0.0.0.0:8000"


def test_gunicorn_turns_the_page_cache_off_for_several_workers_without_a_shared_cache(monkeypatch):
    gunicorn_config(monkeypatch, WEB_CONCURRENCY="2")
    assert os.environ["FESTIVAL_PAGE_CACHE_SECONDS"] == "0"
    gunicorn_config(monkeypatch, WEB_CONCURRENCY="1")
    assert "FESTIVAL_PAGE_CACHE_SECONDS" not in os.environ


def test_gunicorn_runs_the_booklet_watcher_beside_a_shared_cache_unless_told_not_to(monkeypatch):
    assert gunicorn_config(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/0")["prebuild_booklets"] == "true"
    assert gunicorn_config(monkeypatch)["prebuild_booklets"] == "false"  # Built here, they would reach no worker.
    config = gunicorn_config(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/0", FESTIVAL_PREBUILD_BOOKLETS="false")
    assert config["prebuild_booklets"] == "false"


def test_gunicorn_starts_the_booklet_watcher_when_ready_and_stops_it_on_exit(monkeypatch):
    config = gunicorn_config(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/0")
    said = []
    server = SimpleNamespace(log=SimpleNamespace(info=lambda message, *args: said.append(message % args)))
    config["when_ready"](server)
    watcher = config["when_ready"].__globals__["_watcher"]
    try:
        assert watcher.args[1:] == ["manage.py", "prebuild_booklets", "--watch"]
        assert said == [f"Building printed programmes ahead: prebuild_booklets --watch (pid {watcher.pid})"]
    finally:
        config["on_exit"](server)
    assert watcher.poll() is not None


def test_requirements_pin_gunicorn_and_axes_majors():
    text = (ROOT / "requirements.txt").read_text()
    assert "gunicorn>=23,<24" in text
    assert "django-axes>=8,<9" in text


# Media -----------------------------------------------------------------------------


@pytest.fixture
def media_file(settings):
    folder = Path(settings.MEDIA_ROOT) / "films" / "images"
    folder.mkdir(parents=True)
    (folder / "poster.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (folder / "drawing.svg").write_text("<svg onload='alert(1)'></svg>")
    (folder / "page.html").write_text("<script>alert(1)</script>")
    return folder


def test_media_images_are_served_with_safe_headers(client, media_file, db):
    response = client.get("/media/films/images/poster.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="poster.png"'
    assert response["Cache-Control"] == "public, max-age=2592000"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nfake"


@pytest.mark.parametrize(
    "path", ["films/images/drawing.svg", "films/images/page.html", "films/images/missing.png", "../settings.py.png"]
)
def test_media_serves_nothing_but_existing_images(client, media_file, path, db):
    assert client.get(f"/media/{path}").status_code == 404


def test_healthz_answers_ok_without_the_database(client):
    # No db fixture: pytest-django makes any database access fail this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
