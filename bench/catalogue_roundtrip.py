"""Bench: a Berlinale-sized festival exported, imported into an empty database, exported again, compared.

    DATABASE_URL=sqlite:////tmp/festival-bench.sqlite3 DEBUG=true .venv/bin/python bench/catalogue_roundtrip.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/festival_bench DEBUG=true \
        .venv/bin/python bench/catalogue_roundtrip.py

The database named by DATABASE_URL is migrated and EMPTIED (flush) twice: give it a throwaway one.
Prints the wall time of each step (measured without tracemalloc, which slows Python code down about twice)
and the process's maximum resident set size so far (getrusage); then, unless ``--no-memory``, flushes and
imports once more under tracemalloc for the peak of Python allocations of an import into an empty database
and of a re-import. Exports include embargoed award results (``include_embargoed=True``). Prints every field
that differs between the two exports; exits 1 if they differ. ``--size small`` runs the small demo instead.
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "festival.settings")


def measure(label, function):
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<42} {elapsed:8.2f} s   max RSS so far {maxrss_mb:8.1f} MB")
    return result, elapsed


def traced(label, function):
    tracemalloc.start()
    result = function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<32} peak traced {peak / 1_048_576:8.1f} MB")
    return result


def differences(first, second, path="", limit=50):
    """Yield ``path: first != second`` for every leaf that differs (lists compared item by item)."""
    if isinstance(first, dict) and isinstance(second, dict):
        for key in sorted(set(first) | set(second)):
            yield from differences(
                first.get(key, "<missing>"), second.get(key, "<missing>"), f"{path}.{key}" if path else key
            )
    elif isinstance(first, list) and isinstance(second, list):
        if len(first) != len(second):
            yield f"{path}: {len(first)} items != {len(second)} items"
        for index, (a, b) in enumerate(zip(first, second, strict=False)):
            yield from differences(a, b, f"{path}[{index}]")
    elif first != second:
        yield f"{path}: {first!r} != {second!r}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="berlinale", choices=["small", "berlinale"])
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--repeat", type=int, default=3, help="imports with and without history (best of)")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway database: this script empties it.")

    import django

    django.setup()
    from django.conf import settings

    # DEBUG (which the settings need without a SECRET_KEY) logs every query, formatting each bulk insert's
    # thousands of parameters into text: production does not, so neither does the bench.
    settings.DEBUG = False
    from django.core.management import call_command, get_commands
    from django.db import connection

    from films.catalogue import export_catalogue, import_catalogue
    from films.models import Film, Screening

    if "make_demo_festival" not in get_commands():
        sys.exit("The make_demo_festival command does not exist (yet): cannot build the demo festival.")

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    measure(
        f"make_demo_festival {options.size}", lambda: call_command("make_demo_festival", size=options.size, verbosity=0)
    )
    print(f"  {Film.objects.count()} films, {Screening.objects.count()} screenings")

    def export():
        return export_catalogue(include_embargoed=True)

    first = measure("export", export)[0]
    # The import's history (a revision per record it wrote) may cost at most as much as the import itself.
    from unittest import mock

    from films.catalogue.importer import Importer

    def import_into_empty(history):
        call_command("flush", interactive=False, verbosity=0)
        if history:
            return measure("import into empty database (history on)", lambda: import_catalogue([first]))
        with mock.patch.object(Importer, "record_history", return_value=None):
            return measure("import into empty database, history off", lambda: import_catalogue([first]))

    # Alternately, best of ``--repeat`` each: another process on the machine slows one run, not the best.
    without, with_history = [], []
    for _run in range(options.repeat):
        without.append(import_into_empty(history=False)[1])
        report, elapsed = import_into_empty(history=True)
        with_history.append(elapsed)
    ratio = min(with_history) / min(without)
    print(
        f"  best of {options.repeat}: history off {min(without):.2f} s, on {min(with_history):.2f} s; "
        f"on / off: {ratio:.2f} (target at most 2.00: {'met' if ratio <= 2 else 'MISSED'})"
    )
    print("  " + report.summary().replace("\n", "\n  "))
    second = measure("export again", export)[0]
    again = measure("re-import (nothing changes)", lambda: import_catalogue([second]))[0]
    print(f"  re-import changed nothing: {again.changed_nothing}")
    if not options.no_memory:
        call_command("flush", interactive=False, verbosity=0)
        traced("import into empty database", lambda: import_catalogue([first]))
        traced("re-import (nothing changes)", lambda: import_catalogue([first]))
        traced("export", export)

    found = list(differences(first, second))
    if found:
        print(f"{len(found)} difference(s) between the exports:")
        for line in found[:50]:
            print("  " + line)
        sys.exit(1)
    print("the two exports are identical, field by field")


if __name__ == "__main__":
    main()
