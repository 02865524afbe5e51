"""Issue #17: the first programme request after importing an edition, beside the second (not a test).

    .venv/bin/python bench/after_import.py        (about three minutes; PostgreSQL)

On a copy of the 20-edition archive that ``bench/pages.py --editions 20`` measures (BENCH_ARCHIVE_URL, default
postgres://postgres@127.0.0.1:5432/festival_bench_20, built first if missing), made with ``CREATE DATABASE …
TEMPLATE``:

1. export the current edition (``export_catalogue``), then delete it and its films, and gather statistics: an
   archive as it stood before the edition came;
2. import the file (``import_catalogue``, as a festival brings in its new edition), which gathers the planner's
   statistics after a large import (``FESTIVAL_ANALYZE_AFTER_RECORDS``);
3. in a new production process, warmed on an earlier edition's programme (so that only the database can tell the
   requests apart), time the busiest day's programme and grid, uncached: the first request, then the median of
   the next ones.

Then the same with the statistics left to autovacuum (``FESTIVAL_ANALYZE_AFTER_RECORDS`` too high to reach), to
show what gathering them does. Target (issue #17): the first request at most 1.3 times the second.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import serving
from serving import EDITION, manage, manage_shell, production_env

ARCHIVE = os.environ.get("BENCH_ARCHIVE_URL", "postgres://postgres@127.0.0.1:5432/festival_bench_20")
COPY = ARCHIVE.rsplit("/", 1)[0] + "/festival_bench_after_import"
DAY = "2026-02-17"  # The busiest day of EDITION (bench/pages.py).
PAGES = {
    "programme": f"/en/{EDITION}/programme/?day={DAY}",
    "grid": f"/en/{EDITION}/programme/?day={DAY}&view=grid",
}
TARGET = 1.3
NEXT = 9  # Requests after the first, for the median.

# Run in the measuring process (production settings, page cache off): the earlier edition's pages first, then
# each page's first request and the next ones. Prints one JSON line.
MEASURE = """
import json, statistics, sys, time
from django.test import Client
from films.models import Edition
pages, following, edition, busiest = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
client = Client()
earlier = Edition.objects.exclude(key=edition).order_by("-start_date").first()
day = earlier.start_date.replace(day=earlier.start_date.day + 5)
for path in pages.values():
    path = path.replace(edition, earlier.key).replace(busiest, day.isoformat())
    for _ in range(3):
        assert client.get(path).status_code == 200, path
result = {}
for name, path in pages.items():
    times = []
    for _ in range(1 + following):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    result[name] = {"first": times[0], "second": times[1], "next": statistics.median(times[1:])}
print(json.dumps(result))
"""


def database_name(url):
    return url.rsplit("/", 1)[1]


def copy_archive():
    """A fresh copy of the archive's database (``CREATE DATABASE … TEMPLATE``)."""
    import psycopg
    from psycopg import sql

    server = ARCHIVE.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database_name(COPY))))
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database_name(COPY)), sql.Identifier(database_name(ARCHIVE))
            )
        )


def drop_copy():
    import psycopg
    from psycopg import sql

    server = ARCHIVE.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database_name(COPY))))


def remove_edition(env):
    """Delete EDITION and its films from the copy, then gather statistics: the archive before the edition came."""
    manage_shell(
        env,
        "from django.db import connection; from films.models import Award, Edition, Film, Screening, Section; "
        f"edition = Edition.objects.get(key='{EDITION}'); "
        "films = list(Film.objects.filter(selections__section__edition=edition).values_list('pk', flat=True)); "
        # An edition keeps what it holds (PROTECT): its screenings, awards and sections go first.
        "[model.objects.filter(edition=edition).delete() for model in (Screening, Award, Section)]; "
        "edition.delete(); Film.objects.filter(pk__in=films).delete(); "
        "connection.cursor().execute('VACUUM ANALYZE'); print('ok')",
    )


def run(label, analyze_after, catalogue):
    copy_archive()
    env = production_env(COPY, FESTIVAL_PAGE_CACHE_SECONDS=0, FESTIVAL_ANALYZE_AFTER_RECORDS=analyze_after)
    remove_edition(env)
    started = time.monotonic()
    manage(env, "import_catalogue", str(catalogue))
    imported = time.monotonic() - started
    code = "import django; django.setup()\n" + MEASURE
    measured = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code, json.dumps(PAGES), str(NEXT), EDITION, DAY],
        cwd=serving.ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "festival.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    if measured.returncode:
        sys.exit(f"measuring failed:\n{measured.stderr}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    print(f"\n== {label}: import took {imported:.1f} s; then, uncached, in ms")
    print(f"{'page':<10} {'first':>8} {'second':>8} {'next (median)':>14} {'first ÷ next':>13}")
    for name, row in result.items():
        print(
            f"{name:<10} {row['first']:>8.1f} {row['second']:>8.1f} {row['next']:>14.1f} "
            f"{row['first'] / row['next']:>13.2f}"
        )
    return result


def main():
    archive_env = production_env(ARCHIVE)
    serving.ensure_demo(archive_env, editions=20)
    copy_archive()
    with tempfile.TemporaryDirectory() as folder:
        catalogue = Path(folder) / f"{EDITION}.json"
        copy_env = production_env(COPY)
        manage(copy_env, "export_catalogue", "--edition", EDITION, "--include-embargoed", "--output", str(catalogue))
        print(f"exported {EDITION} from the 20-edition archive: {catalogue.stat().st_size / 1e6:.1f} MB")
        try:
            gathered = run("import, statistics gathered after it (the default)", "200", catalogue)
            left = run("import, statistics left to autovacuum", str(10**9), catalogue)
        finally:
            drop_copy()
    print(f"\n== target (issue #17): the first programme request after an import ≤ {TARGET} × the next")
    for name, row in gathered.items():
        ratio = row["first"] / row["next"]
        print(f"{'met    ' if ratio <= TARGET else 'MISSED '} {name}: {ratio:.2f} ×")
    for name, row in left.items():
        print(f"        without gathering them: {name} {row['first'] / row['next']:.2f} ×")


if __name__ == "__main__":
    main()
