"""Whole-page cache of the public site, keyed by a publication version.

Every anonymous GET/HEAD of a public page (under a language prefix, ``/api/v1/`` or ``/sitemap.xml``)
that answers 200 without setting a cookie is kept in Django's cache under
``(publication version, language, full path with query string)``. The publication version is a
counter in the same cache: every save, delete or many-to-many change of any model in the films app
bumps it when its transaction commits (a POST to the admin bumps it once, when the view has
answered, however many rows it wrote), so the next request after a programmer's save misses the
cache and renders fresh; nothing stale is served and old entries simply expire.

Some changes happen by the clock, not by a save: award results become public at their
announcement time (``results_announced_at`` of a section or its edition, else the end of the
edition's last day), a screening moves from "upcoming" to past when it starts or ends, and online
screenings open and close (``available_from``/``available_until``). For each version the cache also
keeps the next such moment; once it has passed, the version is bumped as if a programmer had saved.
(The programme's default day, "today" in the edition's time zone, can lag by up to the page lifetime.)

A hit needs no database query; it answers ``If-None-Match`` with 304 from the stored ETag. What is
stored is the view's status, headers and body (not a pickled response), and each process keeps a copy of
the entries it served lately, so that a hit costs one small read of the shared cache (the version).

With several app server processes the cache must be shared (``CACHE_URL=redis://...``): a local
memory cache would keep one version counter per process. ``gunicorn.conf.py`` turns the page
cache off when it starts several workers without a shared cache.

``FESTIVAL_PAGE_CACHE_SECONDS`` (default 300) is how long a page is kept; 0 turns the cache off.
"""

import datetime
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "festival:publication-version"
# The entry format is part of the key: pages stored by an earlier release are never read back.
PAGE_KEY_PREFIX = "festival:page:3"
SCHEDULE_KEY_PREFIX = "festival:next-scheduled-change"
NO_SCHEDULED_CHANGE = 0
SCHEDULE_SECONDS = 24 * 60 * 60
CACHE_STATUS_HEADER = "X-Page-Cache"
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def publication_version():
    """The current publication version; created (as 1) when the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def fresh_version():
    """A starting version above any the cache may still hold pages under.

    The counter can vanish (a local-memory cache culls entries when full, Redis may evict); starting
    again from the clock in microseconds lands above every earlier version, which began at the clock too
    and which each save raised by one (far fewer than one save per microsecond).
    """
    return int(time.time() * 1_000_000)


def bump_publication_version():
    """Make every cached page stale: the next request for each renders afresh."""
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:
        # Missing (never set, evicted or cleared): start again above any version a page may be stored under.
        cache.add(VERSION_KEY, fresh_version(), timeout=None)
        return cache.incr(VERSION_KEY)


def next_scheduled_change(now=None):
    """The next moment after ``now`` at which a public page changes without a save (a timestamp), or None."""
    from .models import Edition, Screening, Section

    now = now or timezone.now()

    def next_of(*fields):
        return {field: Min(field, filter=Q(**{f"{field}__gt": now})) for field in fields}

    # Results of an edition without an announcement time become public at the end of its last day, local time.
    last_days = Edition.objects.filter(
        results_announced_at__isnull=True, end_date__gte=now.date() - datetime.timedelta(days=2)
    ).values_list("end_date", "timezone")
    moments = [
        *Edition.objects.aggregate(**next_of("results_announced_at")).values(),
        *Section.objects.aggregate(**next_of("results_announced_at")).values(),
        *Screening.objects.aggregate(**next_of("starts_at", "ends_at", "available_from", "available_until")).values(),
        *(Edition(end_date=end, timezone=name).last_day_ends_at for end, name in last_days),
    ]
    moments = [moment for moment in moments if moment is not None and moment > now]
    return min(moments).timestamp() if moments else None


def _schedule_key(version):
    return f"{SCHEDULE_KEY_PREFIX}:{version}"


# Set while the middleware handles a POST to the admin: the changes it makes are counted here, and the
# middleware bumps the version once when the view has answered (after its transaction committed).
_admin_changes = ContextVar("festival_admin_changes", default=None)


def _content_changed(sender, **kwargs):
    if kwargs.get("raw"):
        # Fixture loading: nothing is served from a half-loaded database anyway.
        return
    changes = _admin_changes.get()
    if changes is not None:
        changes.append(sender)
        return
    # Once the change is visible to other connections (at once outside a transaction). Bumping before the
    # commit would buy nothing: a page rendered before the commit shows the old content whatever version it
    # is stored under, and the bump at commit makes it stale.
    transaction.on_commit(bump_publication_version, using=kwargs.get("using"))


def connect_signals():
    """Bump the version on ``post_save``, ``post_delete`` and ``m2m_changed`` of every films model."""
    for model in apps.get_app_config("films").get_models():
        uid = f"festival-page-cache-{model._meta.label_lower}"
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_content_changed, sender=through, dispatch_uid=f"{uid}-{field.name}-m2m")


def is_public_path(path):
    """Public pages: under a site language prefix, the JSON API and the sitemap index and parts; never the admin."""
    if path.startswith("/admin/"):
        return False
    if (
        path.startswith("/api/v1/")
        or path == "/sitemap.xml"
        or (path.startswith("/sitemap-") and path.endswith(".xml"))
    ):
        return True
    first = path.lstrip("/").split("/", 1)[0]
    return first in {code for code, _name in settings.LANGUAGES}


def page_key(version, language, full_path):
    digest = hashlib.sha256(full_path.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{version}:{language}:{digest}"


# What a view's decorators leave on its response for the middleware above this one to read: django-csp's
# per-view policy (``csp``, ``csp_update``, ``csp_replace``, ``csp_exempt``, and their report-only forms) and
# Django's clickjacking exemption (``xframe_options_exempt``). A stored page keeps them and every answer made
# from it, a 304 too, carries them again: a cached page gets the headers a fresh one gets, not the site's default.
VIEW_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
    "xframe_options_exempt",
)


def view_attributes(response):
    """The ``VIEW_ATTRIBUTES`` a response has, as ``((name, value), ...)``."""
    return tuple((name, getattr(response, name)) for name in VIEW_ATTRIBUTES if hasattr(response, name))


def with_view_attributes(response, attributes):
    """``response`` with ``attributes`` (from ``view_attributes``) set on it again."""
    for name, value in attributes:
        setattr(response, name, value)
    return response


class Entry(NamedTuple):
    """A stored page: what the view answered, plus when it stops being current."""

    etag: str
    scheduled: float  # the version's next scheduled change (a timestamp), 0 for none
    status: int
    headers: tuple
    body: bytes
    attributes: tuple = ()  # the response's ``view_attributes``

    @classmethod
    def of(cls, response, scheduled):
        return cls(
            response["ETag"],
            scheduled,
            response.status_code,
            tuple(response.items()),
            response.content,
            view_attributes(response),
        )

    def response(self):
        response = HttpResponse(self.body, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return with_view_attributes(response, self.attributes)


class LocalPages:
    """This process's copy of recently served entries, so a hit costs one small read of the shared cache.

    Keys carry the publication version, so an entry here is current exactly when the shared cache's version
    still matches; it is dropped after the page lifetime like the shared copy, and the least recently used go
    first once the entries' bodies exceed ``FESTIVAL_PAGE_CACHE_LOCAL_BYTES`` (default 32 MiB).
    """

    def __init__(self):
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            expires, entry = found
            if time.monotonic() >= expires:
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry, seconds):
        limit = settings.FESTIVAL_PAGE_CACHE_LOCAL_BYTES
        if len(entry.body) > limit:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + seconds, entry)
            self.size += len(entry.body)
            while self.size > limit:
                self._drop(next(iter(self.entries)))

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0

    def _drop(self, key):
        _expires, entry = self.entries.pop(key)
        self.size -= len(entry.body)


local_pages = LocalPages()


def scheduled_change(version):
    """The next scheduled change of ``version`` (0 for none), computed once per version and kept in the cache."""
    key = _schedule_key(version)
    moment = cache.get(key)
    if moment is None:
        moment = next_scheduled_change() or NO_SCHEDULED_CHANGE
        cache.set(key, moment, SCHEDULE_SECONDS)
    return moment


class PublicPageCacheMiddleware:
    """Serve and store whole public pages for anonymous visitors (see the module docstring).

    Placed last in ``MIDDLEWARE`` (after the locale and authentication middleware): what it stores
    is the view's own response, and a hit still passes out through every other middleware, which
    add the security headers, the CSP, ``Content-Language`` and ``Vary`` as for a fresh page.

    A hit reads the version from the shared cache (one small read), then the entry from this process's
    ``local_pages`` or, failing that, from the shared cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "FESTIVAL_PAGE_CACHE_SECONDS", 300)
        if request.method not in ("GET", "HEAD"):
            if not request.path.startswith("/admin/"):
                return self.get_response(request)
            # One bump per admin save, however many rows it wrote: each bump re-renders every page visited.
            changes = []
            token = _admin_changes.set(changes)
            try:
                response = self.get_response(request)
            finally:
                _admin_changes.reset(token)
            user = getattr(request, "user", None)
            # Admin actions and the catalogue import may write with bulk queries, which send no signals.
            if changes or (response.status_code < 400 and user is not None and user.is_staff):
                bump_publication_version()
            return response
        if not seconds or not self._cacheable_request(request):
            return self.get_response(request)

        version = publication_version()
        key = page_key(version, get_language(), request.get_full_path())
        entry = local_pages.get(key)
        if entry is None:
            entry = cache.get(key)
            if not isinstance(entry, Entry):
                entry = None
            else:
                local_pages.put(key, entry, seconds)
        if entry is not None and entry.scheduled and timezone.now().timestamp() >= entry.scheduled:
            # An announcement time, a screening's start or end has passed since this version's pages were stored.
            version = bump_publication_version()
            key = page_key(version, get_language(), request.get_full_path())
            entry = None
        if entry is not None:
            conditional = get_conditional_response(request, etag=entry.etag, response=entry.response())
            with_view_attributes(conditional, entry.attributes)
            conditional[CACHE_STATUS_HEADER] = "hit"
            return conditional

        # Known before rendering: a moment passing while the page renders makes the entry stale at once.
        scheduled = scheduled_change(version)
        # The view renders the whole page even for a revalidating browser, so that it can be stored: were it to
        # answer 304 itself, nothing would be stored while every visitor revalidates.
        conditions = {name: request.META.pop(name) for name in CONDITIONAL_HEADERS if name in request.META}
        try:
            response = self.get_response(request)
        finally:
            request.META.update(conditions)
        if request.method == "GET" and self._cacheable_response(response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            entry = Entry.of(response, scheduled)
            cache.set(key, entry, seconds)
            local_pages.put(key, entry, seconds)
            response[CACHE_STATUS_HEADER] = "miss"
        if conditions and response.status_code == 200 and response.has_header("ETag"):
            state = response.get(CACHE_STATUS_HEADER)
            attributes = view_attributes(response)
            response = get_conditional_response(request, etag=response["ETag"], response=response)
            with_view_attributes(response, attributes)
            if state:
                response[CACHE_STATUS_HEADER] = state
        return response

    @staticmethod
    def _cacheable_request(request):
        if not is_public_path(request.path):
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Only a visitor with a session can be logged in; without one this costs no query.
            user = getattr(request, "user", None)
            if user is None or user.is_authenticated:
                return False
        return True

    @staticmethod
    def _cacheable_response(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Set-Cookie")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )
