"""gunicorn settings for festival (scripts/serve starts it with this file).

Environment:
  PORT             port to listen on (default 8000), on BIND_HOST (default 0.0.0.0; 127.0.0.1 for local use)
  WEB_CONCURRENCY  worker processes (default 2 × cores + 1, at most 8)
  GUNICORN_TIMEOUT seconds a request may take before its worker is restarted (default 30)
  FESTIVAL_PREBUILD_BOOKLETS  true: run ``manage.py prebuild_booklets --watch`` beside the app (default: true when
                   CACHE_URL is set, where the booklets it builds reach the workers)
"""

import logging
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{int(os.environ.get('PORT', '8000'))}"  # noqa: S104 - behind a proxy
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Restart workers now and then, so a slow leak cannot grow for days.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Time taken: %(M)s is milliseconds, %(D)s microseconds.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

if workers > 1 and not os.environ.get("CACHE_URL") and os.environ.get("FESTIVAL_PAGE_CACHE_SECONDS") != "0":
    # Each worker would keep its own publication version in local memory: a save seen by one worker would leave
    # the others serving stale pages. Without a shared cache (CACHE_URL=redis://...) the page cache is off.
    logging.getLogger("gunicorn.error").warning(
        "CACHE_URL is not set and %s workers run: the whole-page cache is turned off (set CACHE_URL=redis://...).",
        workers,
    )
    os.environ["FESTIVAL_PAGE_CACHE_SECONDS"] = "0"


# The printed programmes are built ahead of their first request (films/prebuild.py) by a watcher process started
# with the app and stopped with it (it lowers its own priority below the workers').
prebuild_booklets = os.environ.get("FESTIVAL_PREBUILD_BOOKLETS", "true" if os.environ.get("CACHE_URL") else "false")
_watcher = None


def when_ready(server):
    global _watcher
    if prebuild_booklets == "true":
        _watcher = subprocess.Popen(  # nosec B603 - this interpreter, fixed arguments
            [sys.executable, "manage.py", "prebuild_booklets", "--watch"], cwd=Path(__file__).resolve().parent
        )
        server.log.info("Building printed programmes ahead: prebuild_booklets --watch (pid %s)", _watcher.pid)


def on_exit(server):
    if _watcher is not None and _watcher.poll() is None:
        _watcher.terminate()
        try:
            _watcher.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _watcher.kill()
