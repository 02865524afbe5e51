"""Lighthouse on the public site as production serves it (issue #12): scripts/lighthouse runs this.

    scripts/lighthouse [PATH ...] [--device mobile|desktop|both] [--details N] [--rebuild] [--port N]

Not a test. Only 127.0.0.1; bounded in time (each Lighthouse run at most --run-timeout seconds, default 150, and a
failed run tried once more); it stops gunicorn and every browser it started, also when it is interrupted or killed
with SIGTERM (``timeout``).

1. The berlinale demo in a SQLite file of its own (--database, default /tmp/festival-lighthouse.sqlite3; images in
   /tmp/festival-lighthouse-media): ``migrate``, then ``make_demo_festival --size berlinale --if-empty``. Built
   again (``--replace``) with --rebuild, or when today (Europe/Berlin) is no longer one of its days, so that the
   programme shows today's screenings.
2. ``collectstatic`` into a STATIC_ROOT of its own (/tmp/festival-lighthouse-static: the repository's staticfiles/
   is left alone), then gunicorn with gunicorn.conf.py as scripts/serve starts it: DEBUG off, a SECRET_KEY made
   for the run, ALLOWED_HOSTS=127.0.0.1, SECURE_COOKIES=false, one worker with the whole-page cache on in local
   memory (several workers need a shared Redis for it; gunicorn.conf.py turns it off without one). Each page is
   requested once before it is measured, so Lighthouse sees it as a visitor after the first one does.
3. Lighthouse 12 from node_modules (``scripts/setup --dev`` installs it from package-lock.json) drives Debian's
   Chromium (CHROME_PATH=/usr/bin/chromium, ``--headless=new --no-sandbox``), categories performance,
   accessibility, best-practices and seo, on its mobile default (a mid-range phone on a slow 4G, simulated) and
   with ``--preset=desktop``, against each page: by default the home page, today's programme as a list and as a
   grid, and the example film's page. Other paths may be given instead (``{edition}`` stands for the demo's
   current edition): ``scripts/lighthouse /en/search/?q=love '/uk/{edition}/awards/'``.

It prints one table, page × device × the four scores, then for each score under the target (95) the audits that
fail it (id, title, displayed value), with --details N the first N elements, resources or values each of them
names. The JSON reports go to bench/results/lighthouse/ (PAGE-DEVICE.json, with gunicorn.log), for the Lighthouse
viewer or ``jq``. Exit status 0 when every score is at least 95, 1 when one is not (or a run failed), 2 when it could
not measure at all.
"""

import argparse
import contextlib
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from serving import ROOT, Gunicorn, get, manage, manage_shell, production_env

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
RESULTS = ROOT / "bench" / "results" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best", "seo": "seo"}
TARGET = 95
DEFAULT_PATHS = [
    "/en/",
    "/en/{edition}/programme/",
    "/en/{edition}/programme/?view=grid",
    "/en/films/we-will-not-fade-away/",
]
# A metric has no details of its own: with --details these audits show where its time or shifts come from.
EVIDENCE = {
    "total-blocking-time": ["long-tasks", "bootup-time"],
    "largest-contentful-paint": ["largest-contentful-paint-element"],
    "cumulative-layout-shift": ["layout-shifts"],
    "first-contentful-paint": ["render-blocking-insight"],
}
# An audit fails when its score is under this (Lighthouse's own pass mark; binary audits score 0 or 1).
AUDIT_PASS = 0.9


class Stopped(Exception):
    """SIGTERM (``timeout``) or SIGHUP: unwind, so that every ``finally`` stops what it started."""


def on_signal(number, _frame):
    raise Stopped(signal.Signals(number).name)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(env, rebuild):
    """Migrate, build the demo (if missing, too old, or asked to) and collect static files: the edition's key."""
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    if not rebuild:
        print(manage(env, "make_demo_festival", "--size", "berlinale", "--if-empty").strip() or "Demo: already built.")
    today_is_in_it = (
        "from django.utils import timezone; from films.demo import demo_editions; e = demo_editions().first(); "
        "print(bool(e) and e.start_date <= timezone.localtime(timezone.now(), e.tzinfo).date() <= e.end_date)"
    )
    if rebuild or manage_shell(env, today_is_in_it) != "True":
        print("Building the demo again (--replace), with today as its third day.")
        print(manage(env, "make_demo_festival", "--size", "berlinale", "--replace").strip())
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    return manage_shell(env, "from films.queries import current_edition; print(current_edition().key)")


def slug(path, device):
    return f"{re.sub(r'[^A-Za-z0-9]+', '-', path).strip('-') or 'root'}-{device}"


def run_lighthouse(url, device, output, seconds):
    """One Lighthouse run, its JSON written to ``output``: None, or why it failed."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={output}",
        "--chrome-flags=--headless=new --no-sandbox",
        f"--only-categories={','.join(CATEGORIES)}",
        "--quiet",
    ]
    if device == "desktop":
        command.append("--preset=desktop")
    output.unlink(missing_ok=True)
    # A session of its own: Lighthouse's Chromium is in its group, which is stopped whole afterwards (chrome-launcher
    # normally closes it; not when Lighthouse is stopped itself).
    process = subprocess.Popen(  # noqa: S603 - the project's own Lighthouse, fixed arguments
        command,
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, errors = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        return f"Lighthouse took more than {seconds} s"
    finally:
        stop_group(process)
    if process.returncode or not output.exists():
        return f"Lighthouse failed ({process.returncode}): {errors.strip()[-500:]}"
    return None


def measure(url, device, output, seconds, tries=2):
    """Lighthouse on ``url``: ``(scores, report)``, or ``(why it failed, None)``. A failed run is tried again once: on
    a busy machine Lighthouse now and then loses the trace of a page load (NO_NAVSTART, NO_FCP) and asks for that."""
    for attempt in range(1, tries + 1):
        failure = run_lighthouse(url, device, output, seconds)
        if not failure:
            report = json.loads(output.read_text())
            if not report.get("runtimeError"):
                return scores(report), report
            failure = report["runtimeError"].get("message", "runtime error")
        if attempt < tries:
            print(f"    failed ({failure[:120]}); once more", flush=True)
    return failure, None


def stop_group(process):
    """Stop the process group ``process`` leads (Lighthouse and its Chromium): SIGTERM, then SIGKILL."""

    def alive():
        process.poll()  # reaps the leader once it has ended
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not alive():
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + 5
        while alive() and time.monotonic() < deadline:
            time.sleep(0.1)
    process.wait(timeout=5)


def scores(report):
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def failing_audits(report, category):
    """The audits of ``category`` that fail, worst first: ``[(audit, weight)]``."""
    failing = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        mode = audit.get("scoreDisplayMode")
        if mode == "error" or (
            mode not in ("notApplicable", "manual", "informative")
            and audit.get("score") is not None
            and audit["score"] < AUDIT_PASS
        ):
            failing.append((audit, ref.get("weight", 0)))
    return sorted(failing, key=lambda pair: (-pair[1], pair[0].get("score") or 0))


def value_text(value, kind):
    """A value of an audit's details table, as text."""
    if isinstance(value, dict):
        kind = value.get("type", kind)
        if kind == "node":
            label = value.get("selector") or value.get("nodeLabel") or ""
            snippet = value.get("snippet", "")
            return f"{label} {snippet[:120]}".strip()
        if kind == "source-location":
            return f"{value.get('url', '')}:{value.get('line', '')}:{value.get('column', '')}"
        if kind in ("url", "link"):
            return value.get("url") or value.get("text", "")
        if kind == "text":
            return value.get("value", "")
        if kind in ("numeric", "bytes", "ms"):
            value = value.get("value")
        else:
            return json.dumps(value)[:160]
    if value is None:
        return ""
    if kind == "bytes" and isinstance(value, int | float):
        return f"{value / 1024:.1f} KiB"
    if kind in ("ms", "timespanMs") and isinstance(value, int | float):
        return f"{value:.0f} ms"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def table_lines(details):
    """The rows of a table (or opportunity) of an audit's details, as text."""
    headings = details.get("headings") or []
    lines = []
    for item in details.get("items") or []:
        parts = []
        for heading in headings:
            key = heading.get("key")
            if not key or item.get(key) in (None, ""):
                continue
            kind = heading.get("valueType") or heading.get("itemType") or ""
            text = value_text(item[key], kind)
            if text:
                parts.append(text if kind in ("node", "url", "source-location") else f"{key}={text}")
        node = item.get("node")
        if isinstance(node, dict) and node.get("explanation"):
            parts.append(node["explanation"].replace("\n", " ")[:300])
        lines.append(" | ".join(parts) or json.dumps(item)[:200])
    return lines


def chain_lines(chains, depth=0):
    """A network tree or critical request chain (``{id: {url or request, children}}``), one request a line."""
    lines = []
    for chain in chains.values():
        url = chain.get("url") or (chain.get("request") or {}).get("url", "")
        size = chain.get("transferSize") or (chain.get("request") or {}).get("transferSize")
        end = chain.get("navStartToEndTime")
        facts = ", ".join(
            fact for fact in (f"{end:.0f} ms" if end else "", f"{size / 1024:.1f} KiB" if size else "") if fact
        )
        lines.append("  " * depth + url + (f" ({facts})" if facts else ""))
        lines.extend(chain_lines(chain.get("children") or {}, depth + 1))
    return lines


def checklist_lines(details):
    return [f"{'ok' if item.get('value') else 'NO'}: {item.get('label')}" for item in details["items"].values()]


def detail_lines(audit, limit):
    """Up to ``limit`` lines of an audit's details (the elements, resources or values it names), as text."""
    details = audit.get("details") or {}
    kind = details.get("type")
    if kind in ("table", "opportunity"):
        lines = table_lines(details)
    elif kind == "checklist":
        lines = checklist_lines(details)
    elif kind == "criticalrequestchain":
        lines = chain_lines(details.get("chains") or {})
    elif kind == "list":
        lines = []
        for item in details.get("items") or []:
            value = item.get("value", item) if item.get("type") == "list-section" else item
            if item.get("title"):
                lines.append(f"{item['title']}:")
            if value.get("type") in ("table", "opportunity"):
                lines.extend(table_lines(value))
            elif value.get("type") == "network-tree":
                lines.extend(chain_lines(value.get("chains") or {}))
            elif value.get("type") == "text":
                lines.append(value.get("value", ""))
            elif value.get("type") == "checklist":
                lines.extend(checklist_lines(value))
            elif value.get("type") == "node":
                lines.append(value_text(value, "node"))
    else:
        lines = []
    if len(lines) > limit:
        lines = [*lines[:limit], f"… and {len(lines) - limit} more"]
    return lines


def print_table(rows):
    width = max([len("page")] + [len(path) for path, *_ in rows])
    head = f"{'page':<{width}}  {'device':<7}  " + "  ".join(f"{SHORT[name]:>4}" for name in CATEGORIES)
    print(head)
    print("-" * len(head))
    for path, device, result, _report in rows:
        if isinstance(result, str):
            cells = f"run failed: {result[:200]}"
        else:
            cells = "  ".join(f"{result[name]:>3}{'!' if result[name] < TARGET else ' '}" for name in CATEGORIES)
        print(f"{path:<{width}}  {device:<7}  {cells}")
    print(f"(! under {TARGET}; perf = performance, a11y = accessibility, best = best-practices)")


def print_failures(rows, detail_limit):
    for path, device, result, report in rows:
        if isinstance(result, str):
            continue
        for name in CATEGORIES:
            if result[name] >= TARGET:
                continue
            print(f"\n{path} · {device} · {name} {result[name]}:")
            for audit, weight in failing_audits(report, name):
                shown = audit.get("displayValue") or ""
                score = audit.get("score")
                score_text = "error" if score is None else f"{score:.2f}"
                weighted = f", weight {weight}" if weight else ""
                shown = f" — {shown}" if shown else ""
                print(f"  {audit['id']}: {audit['title']}{shown} ({score_text}{weighted})")
                if audit.get("errorMessage"):
                    print(f"      error: {audit['errorMessage']}")
                if detail_limit:
                    for line in detail_lines(audit, detail_limit):
                        print(f"      {line}")
                    for evidence in EVIDENCE.get(audit["id"], []):
                        lines = detail_lines(report["audits"].get(evidence, {}), detail_limit)
                        if lines:
                            print(f"      {evidence}:")
                        for line in lines:
                            print(f"        {line}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="pages to measure ({edition}: the demo's current edition)")
    parser.add_argument("--device", choices=["mobile", "desktop", "both"], default="both")
    parser.add_argument("--details", type=int, default=0, metavar="N", help="show N items of each failing audit")
    parser.add_argument("--rebuild", action="store_true", help="build the demo again (--replace)")
    parser.add_argument("--database", default="/tmp/festival-lighthouse.sqlite3")  # noqa: S108 - a scratch file
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--run-timeout", type=int, default=150, help="seconds one Lighthouse run may take")
    arguments = parser.parse_args()
    for path in arguments.paths:
        if not path.startswith("/"):
            parser.error(f"a path starts with /, not {path!r}")
    if not os.access(LIGHTHOUSE, os.X_OK):
        sys.exit(f"{LIGHTHOUSE.relative_to(ROOT)} is missing: run scripts/setup --dev (npm ci from package-lock.json).")
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (or scripts/setup --dev).")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    env = production_env(
        f"sqlite:///{Path(arguments.database).resolve()}",
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT="/tmp/festival-lighthouse-media",  # noqa: S108 - the demo's images, beside its database
        STATIC_ROOT="/tmp/festival-lighthouse-static",  # noqa: S108
        WEB_CONCURRENCY="1",
        FESTIVAL_PAGE_CACHE_SECONDS="300",
        FESTIVAL_SERVE_MEDIA="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
    )
    for name in ("CACHE_URL", "FESTIVAL_PURGE_URLS", "EMBED_ALLOWED_ORIGINS", "BEHIND_HTTPS_PROXY"):
        env.pop(name, None)
    devices = ["mobile", "desktop"] if arguments.device == "both" else [arguments.device]
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rows = []
    try:
        edition = prepare(env, arguments.rebuild)
        paths = [path.replace("{edition}", edition) for path in (arguments.paths or DEFAULT_PATHS)]
        print(f"Edition {edition}, today {datetime.date.today().isoformat()}; {len(paths) * len(devices)} runs.")
        with open(RESULTS / "gunicorn.log", "w") as log, Gunicorn(env, arguments.port or free_port(), log=log) as base:
            for path in paths:
                try:
                    status = get(base, path)[0]
                except urllib.error.HTTPError as error:
                    status = error.code
                if status != 200:
                    print(f"Note: {path} answers {status}.")
                for device in devices:
                    print(f"  {path} ({device}) …", flush=True)
                    rows.append(
                        (
                            path,
                            device,
                            *measure(
                                base + path, device, RESULTS / f"{slug(path, device)}.json", arguments.run_timeout
                            ),
                        )
                    )
    except Stopped as stopped:
        print(f"Stopped ({stopped}); gunicorn and Lighthouse were stopped.", file=sys.stderr)
        return 2
    except (SystemExit, OSError, subprocess.SubprocessError) as error:
        print(f"Could not measure: {error}", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    print()
    print_table(rows)
    print_failures(rows, arguments.details)
    print(f"\nReports: {RESULTS.relative_to(ROOT)}/ ({time.monotonic() - started:.0f} s)")
    ok = all(not isinstance(result, str) and min(result.values()) >= TARGET for _p, _d, result, _r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
