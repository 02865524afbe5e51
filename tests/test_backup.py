"""scripts/backup then scripts/restore on SQLite into a fresh file: same rows, same media files."""

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, env, check=True):
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


def environment(database, media):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST_", "CACHE_URL"))}
    env.update(DEBUG="true", DATABASE_URL=f"sqlite:///{database}", MEDIA_ROOT=str(media))
    return env


def table_counts(path):
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    database, media = folder / "festival.sqlite3", folder / "media"
    env = environment(database, media)
    run([".venv/bin/python", "manage.py", "migrate", "-v0"], env)
    run([".venv/bin/python", "manage.py", "make_demo_festival", "--size", "small", "--start-date", "2026-02-12"], env)
    (media / "films" / "images").mkdir(parents=True, exist_ok=True)
    (media / "films" / "images" / "poster.png").write_bytes(b"\x89PNG\r\n\x1a\nposter-bytes")
    return database, media, env


def test_backup_then_restore_into_a_fresh_database_keeps_every_row_and_media_file(source, tmp_path):
    database, _media, env = source
    made = run(["bash", "scripts/backup", str(tmp_path / "backups")], env).stdout.strip()
    folder = Path(made)
    assert folder.parent == tmp_path / "backups"
    assert folder.name.startswith("festival-")
    assert sorted(path.name for path in folder.iterdir()) == [
        "catalogue.json",
        "database.sqlite3",
        "manifest.json",
        "media.tar.gz",
    ]
    catalogue = json.loads((folder / "catalogue.json").read_text())
    assert catalogue["editions"][0]["key"] == "demo-2026"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite"
    assert manifest["rows"]["films_film"] > 0

    fresh, fresh_media = tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    result = run(["bash", "scripts/restore", str(folder)], environment(fresh, fresh_media))
    assert result.stdout.startswith("Restored ")
    assert table_counts(fresh) == table_counts(database)
    assert (fresh_media / "films" / "images" / "poster.png").read_bytes() == b"\x89PNG\r\n\x1a\nposter-bytes"


def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    database, _media, env = source
    folder = run(["bash", "scripts/backup", str(tmp_path / "backups")], env).stdout.strip()
    result = run(["bash", "scripts/restore", folder], env, check=False)
    assert result.returncode == 1
    assert f"restore failed: The database {database} is not empty; restore into an empty one." in result.stderr


def test_restore_refuses_a_folder_that_is_not_a_backup(source, tmp_path):
    result = run(["bash", "scripts/restore", str(tmp_path)], environment(tmp_path / "x.sqlite3", tmp_path / "m"), False)
    assert result.returncode == 1
    assert f"restore failed: {tmp_path} is not a backup folder (no manifest.json)." in result.stderr
