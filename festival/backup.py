"""Backups and restores: ``scripts/backup [FOLDER]`` and ``scripts/restore FOLDER``.

A backup is a timestamped folder holding
  database.dump     PostgreSQL: ``pg_dump -Fc`` (custom format, for ``pg_restore``)
  database.sqlite3  SQLite: a consistent copy made with SQLite's online backup API
  media.tar.gz      the uploaded files (MEDIA_ROOT)
  catalogue.json    ``manage.py export_catalogue --include-embargoed``: the programme in the exchange
                    format, readable without this app's database schema
  manifest.json     what was backed up: when, which database engine, row counts per table

``restore`` loads the database into an EMPTY database (PostgreSQL: no tables; SQLite: a file that does
not exist yet or is empty) and unpacks the media into MEDIA_ROOT, then compares the row counts with
the manifest. It refuses a non-empty target rather than mixing two databases.
"""

import datetime
import json
import os
import sqlite3

# subprocess runs pg_dump/pg_restore with fixed argument lists, never a shell.
import subprocess  # nosec B404
import sys
import tarfile
from pathlib import Path

import django


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")
    django.setup()


class BackupError(Exception):
    pass


def database():
    from django.db import connections

    return connections["default"]


def row_counts():
    from django.apps import apps

    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def pg_env(settings_dict):
    env = dict(os.environ)
    env.update(
        {
            name: str(value)
            for name, value in {
                "PGHOST": settings_dict["HOST"],
                "PGPORT": settings_dict["PORT"],
                "PGUSER": settings_dict["USER"],
                "PGPASSWORD": settings_dict["PASSWORD"],
                "PGDATABASE": settings_dict["NAME"],
            }.items()
            if value
        }
    )
    return env


def backup(target_parent):
    from django.conf import settings
    from django.core.management import call_command

    connection = database()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(target_parent) / f"festival-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    if connection.vendor == "postgresql":
        subprocess.run(  # noqa: S603 # nosec B603 B607
            ["pg_dump", "-Fc", "--no-owner", "-f", str(folder / "database.dump")],  # noqa: S607 - pg_dump from PATH
            env=pg_env(connection.settings_dict),
            check=True,
        )
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        copy = sqlite3.connect(str(folder / "database.sqlite3"))
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media_root.is_dir():
            for item in sorted(media_root.iterdir()):
                archive.add(item, arcname=item.name)
    call_command("export_catalogue", include_embargoed=True, output=str(folder / "catalogue.json"))
    manifest = {
        "created": stamp,
        "engine": connection.vendor,
        "rows": row_counts(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return folder


def database_is_empty(connection):
    return not connection.introspection.table_names()


def restore(folder):
    from django.conf import settings

    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup folder (no manifest.json).")
    manifest = json.loads(manifest_path.read_text())
    connection = database()
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"The backup is of a {manifest['engine']} database; DATABASE_URL points at {connection.vendor}."
        )
    if not database_is_empty(connection):
        raise BackupError(f"The database {connection.settings_dict['NAME']} is not empty; restore into an empty one.")
    if connection.vendor == "postgresql":
        connection.close()
        subprocess.run(  # noqa: S603 # nosec B603 B607
            [  # noqa: S607 - pg_restore from PATH
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "-d",
                connection.settings_dict["NAME"],
                str(folder / "database.dump"),
            ],
            env=pg_env(connection.settings_dict),
            check=True,
        )
    else:
        target = str(connection.settings_dict["NAME"])
        connection.close()
        source = sqlite3.connect(str(folder / "database.sqlite3"))
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
        # The "data" filter refuses absolute paths, .. and links out of the folder.
        archive.extractall(media_root, filter="data")
    restored = row_counts()
    if restored != manifest["rows"]:
        differing = sorted(name for name in manifest["rows"] if restored.get(name) != manifest["rows"][name])
        raise BackupError(f"Row counts differ after the restore in: {', '.join(differing)}.")
    return restored


def main(argv):
    usage = "usage: python -m festival.backup backup [PARENT_FOLDER] | restore FOLDER"
    if not argv or argv[0] not in {"backup", "restore"} or (argv[0] == "restore" and len(argv) != 2):
        print(usage, file=sys.stderr)
        return 2
    setup()
    try:
        if argv[0] == "backup":
            folder = backup(argv[1] if len(argv) > 1 else os.environ.get("BACKUP_DIR", "backups"))
            print(folder)
        else:
            rows = restore(argv[1])
            print(f"Restored {sum(rows.values())} rows in {len(rows)} tables and the media files from {argv[1]}.")
    except (BackupError, subprocess.CalledProcessError, OSError) as error:
        print(f"{argv[0]} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
