"""Load test: gunicorn on the berlinale-size demo in PostgreSQL with the Redis cache.

    .venv/bin/python bench/load.py        (needs wrk; about 50 seconds; only 127.0.0.1)

Not a test. Runs on DATABASE_URL (default festival_prod, created if missing), building the berlinale
demo there first if it is missing; WEB_CONCURRENCY (default 2) sets the number of workers. For the page
cache on (FESTIVAL_PAGE_CACHE_SECONDS=300) and off (0) it starts gunicorn, drives /healthz, the programme,
a film page and search with wrk for a few seconds each, while a programmer saves a screening through the
admin every second (LOAD_SAVE_INTERVAL), and prints requests/s, p50/p99 latency, errors and each page's
throughput relative to /healthz; the programme is also driven as a browser revalidates it (If-None-Match
with the last ETag, bench/conditional.lua) to count the 304s. Then it checks that a save is visible on the
very next request (the screening's note in the JSON API, which is cached), and prints each of issue #7's
targets as met or missed.

The saved screening is the edition's first (on its first day); the measured programme day and film are others: a
save makes stale only the pages that show what it changed (films/cache.py), here that film's page, the first day's
programme and the edition's exports (the JSON checked for the save), not the pages measured.
"""

import os
import secrets
import sys
import time

import serving
from serving import (
    EDITION,
    ROOT,
    Gunicorn,
    Programmer,
    demo_screening,
    ensure_admin,
    ensure_demo,
    manage_shell,
    production_env,
    require_wrk,
    wrk,
)

PORT = int(os.environ.get("LOAD_PORT", "8772"))
BASE = f"http://127.0.0.1:{PORT}"
SECONDS_PER_PAGE = int(os.environ.get("LOAD_SECONDS", "4"))
# Seconds between the programmer's saves (each one makes stale the pages that show the saved screening).
SAVE_INTERVAL = float(os.environ.get("LOAD_SAVE_INTERVAL", "1"))
PROGRAMME = f"/en/{EDITION}/programme/?day=2026-02-14"
PAGES = {
    "healthz": "/healthz",
    "programme": PROGRAMME,
    # The same page revalidated as a browser does: If-None-Match with the last ETag it was sent.
    "programme304": PROGRAMME,
    "film": "/en/films/{film}/",
    "search": "/en/search/?q=house",
}
CONDITIONAL_SCRIPT = ROOT / "bench" / "conditional.lua"
ADMIN_USER, ADMIN_PASSWORD = "load-admin", secrets.token_urlsafe(16)


def environment(page_cache_seconds):
    return production_env(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/festival_prod"),
        CACHE_URL=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/13"),
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        FESTIVAL_PAGE_CACHE_SECONDS=page_cache_seconds,
    )


def get(path):
    status, headers, body = serving.get(BASE, path)
    return status, headers.get("X-Page-Cache"), body


def run_mode(label, seconds, film, screening_id):
    env = environment(seconds)
    programmer = Programmer(BASE, screening_id, ADMIN_USER, ADMIN_PASSWORD, SAVE_INTERVAL)
    results = {}
    with Gunicorn(env, PORT):
        for path in PAGES.values():  # warm up: first render of each page (and the cache)
            get(path.format(film=film))
        programmer.start()
        for name, path in PAGES.items():
            script = CONDITIONAL_SCRIPT if name.endswith("304") else None
            results[name] = wrk(BASE + path.format(film=film), SECONDS_PER_PAGE, script=script)
        visible = None
        if seconds:
            # A programmer's save shows on the very next request, although the API document is cached.
            api = f"/api/v1/{EDITION}/programme.json"
            programmer.stop.set()
            programmer.join(timeout=15)
            get(api)
            _status, cache_state, _body = get(api)
            programmer.save("Saved just now by the load test")
            _status, after_state, body = get(api)
            visible = (cache_state, after_state, "Saved just now by the load test" in body)
        programmer.stop.set()
        programmer.join(timeout=15)
    print(
        f"\n== page cache {label} (FESTIVAL_PAGE_CACHE_SECONDS={seconds}); admin saves during the run: "
        f"{programmer.saves}, failed saves: {len(programmer.failures)} {programmer.failures[:2]}"
    )
    base = results["healthz"]["rps"]
    print(
        f"{'page':<13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} {'requests':>9} {'errors':>7} "
        f"{'vs /healthz':>12} {'304s':>6}"
    )
    for name, row in results.items():
        share = f"{row['not_modified']:.1%}" if row["not_modified"] is not None else ""
        print(
            f"{name:<13} {row['rps']:>8.0f} {row['p50']:>8.2f} {row['p99']:>8.2f} {row['p99'] / row['p50']:>8.1f} "
            f"{row['requests']:>9} {row['errors']:>7} {row['rps'] / base:>12.3f} {share:>6}"
        )
    if visible:
        print(
            f"save visible on the next request: API before the save {visible[0]}, after it {visible[1]}; "
            f"new note shown: {visible[2]}"
        )
    return results, programmer, visible


def main():
    require_wrk()
    env = environment(0)
    ensure_demo(env)
    ensure_admin(env, ADMIN_USER, ADMIN_PASSWORD)
    _saved_film, screening_id = demo_screening(env)
    film_key = manage_shell(
        env,
        "from films.models import Film; print(Film.objects.filter(published=True, "
        f"screenings__edition__key='{EDITION}', screenings__published=True).exclude(screenings={screening_id})"
        ".order_by('key').values_list('key', flat=True).first())",
    )
    started = time.monotonic()
    cached, programmer_cached, visible = run_mode("ON", 300, film_key, screening_id)
    uncached, programmer_uncached, _ = run_mode("OFF", 0, film_key, screening_id)
    print(
        "\n== cached ÷ uncached throughput:",
        ", ".join(f"{name} {cached[name]['rps'] / uncached[name]['rps']:.1f}×" for name in PAGES),
    )
    errors = sum(row["errors"] for row in (*cached.values(), *uncached.values()))
    failures = len(programmer_cached.failures) + len(programmer_uncached.failures)
    print(f"total errors: {errors}; failed admin saves: {failures}; took {time.monotonic() - started:.0f} s")
    base = cached["healthz"]["rps"]
    targets = [
        ("cached programme ≥ 50 % of /healthz", cached["programme"]["rps"] / base >= 0.5),
        ("revalidated programme answered 304 ≥ 70 %", (cached["programme304"]["not_modified"] or 0) >= 0.7),
        ("revalidated programme ≥ 70 % of /healthz", cached["programme304"]["rps"] / base >= 0.7),
        *(
            (f"cached {name}: p99 ≤ 3 × p50", row["p99"] <= 3 * row["p50"])
            for name, row in cached.items()
            if name != "healthz"
        ),
        ("zero errors, every admin save accepted", errors == 0 and failures == 0),
        ("a save is visible on the next request", bool(visible and visible[2])),
    ]
    print("\n== targets (issue #7)")
    for label, met in targets:
        print(f"{'met    ' if met else 'MISSED '} {label}")
    ok = errors == 0 and failures == 0 and visible and visible[2]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
