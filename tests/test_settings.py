"""Settings come from the environment; a production start without a secret key stops with a clear error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from festival.settings import BASE_DIR, database_from_url

REPO = Path(__file__).resolve().parents[1]


def run_settings(**env):
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import festival.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_start_without_secret_key_is_a_clear_error():
    result = run_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr


def test_debug_start_without_secret_key_uses_a_development_key():
    result = run_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_a_garbled_debug_value_is_refused():
    result = run_settings(DEBUG="maybe", SECRET_KEY="x" * 50)
    assert "DEBUG must be true or false, not 'maybe'." in result.stderr


def test_database_url_points_the_app_at_postgresql():
    assert database_from_url("postgres://festival:s%40cret@db.example:6543/programme?sslmode=require") == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "programme",
        "USER": "festival",
        "PASSWORD": "s@cret",
        "HOST": "db.example",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }


def test_database_url_may_name_a_sqlite_file():
    assert database_from_url("sqlite:///data/festival.sqlite3")["NAME"] == BASE_DIR / "data/festival.sqlite3"
    assert str(database_from_url("sqlite:////var/lib/festival.sqlite3")["NAME"]) == "/var/lib/festival.sqlite3"


def test_an_unknown_database_url_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL scheme 'mysql' is not supported"):
        database_from_url("mysql://root@localhost/festival")


def test_manage_py_without_secret_key_says_so_in_one_line():
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=clean, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.startswith("festival: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr
