"""Whole-page cache of the public site, keyed by a publication version.

Every anonymous GET/HEAD of a public page (under a language prefix, ``/api/v1/`` or ``/sitemap.xml``)
that answers 200 without setting a cookie is kept in Django's cache under
``(publication version, language, full path with query string)``. The publication version is a
counter in the same cache: every save, delete or many-to-many change of any model in the films app
bumps it (right away and again when the transaction commits), so the next request after a
programmer's save misses the cache and renders fresh; nothing stale is served and old entries
simply expire.

Some changes happen by the clock, not by a save: award results become public at their
announcement time (``results_announced_at`` of an edition or a section), a screening moves from
"upcoming" to past when it starts or ends, and online screenings open and close
(``available_from``/``available_until``). For each version the cache also keeps the next
such moment; once it has passed, the version is bumped as if a programmer had saved. (The
programme's default day, "today" in the edition's time zone, can lag by up to the page lifetime.)

A hit needs no database query; it answers ``If-None-Match`` with 304 from the stored ETag.

With several app server processes the cache must be shared (``CACHE_URL=redis://...``): a local
memory cache would keep one version counter per process. ``gunicorn.conf.py`` turns the page
cache off when it starts several workers without a shared cache.

``FESTIVAL_PAGE_CACHE_SECONDS`` (default 300) is how long a page is kept; 0 turns the cache off.
"""

import hashlib
import logging
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_etags
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "festival:publication-version"
PAGE_KEY_PREFIX = "festival:page"
SCHEDULE_KEY_PREFIX = "festival:next-scheduled-change"
NO_SCHEDULED_CHANGE = 0
SCHEDULE_SECONDS = 24 * 60 * 60
CACHE_STATUS_HEADER = "X-Page-Cache"


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

    moments = [
        *Edition.objects.aggregate(**next_of("results_announced_at")).values(),
        *Section.objects.aggregate(**next_of("results_announced_at")).values(),
        *Screening.objects.aggregate(**next_of("starts_at", "ends_at", "available_from", "available_until")).values(),
    ]
    moments = [moment for moment in moments if moment is not None]
    return min(moments).timestamp() if moments else None


def _schedule_key(version):
    return f"{SCHEDULE_KEY_PREFIX}:{version}"


def _content_changed(sender, **kwargs):
    if kwargs.get("raw"):
        # Fixture loading: nothing is served from a half-loaded database anyway.
        return
    bump_publication_version()
    # Bump again once the change is visible to other connections: a page rendered by another
    # process between the save and the commit would otherwise be stored under the new version.
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
    """Public pages: under a site language prefix, the JSON API and the sitemap; never the admin."""
    if path.startswith("/admin/"):
        return False
    if path.startswith("/api/v1/") or path == "/sitemap.xml":
        return True
    first = path.lstrip("/").split("/", 1)[0]
    return first in {code for code, _name in settings.LANGUAGES}


def page_key(version, language, full_path):
    digest = hashlib.sha256(full_path.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{version}:{language}:{digest}"


class PublicPageCacheMiddleware:
    """Serve and store whole public pages for anonymous visitors (see the module docstring).

    Placed last in ``MIDDLEWARE`` (after the locale and authentication middleware): what it stores
    is the view's own response, and a hit still passes out through every other middleware, which
    add the security headers, the CSP, ``Content-Language`` and ``Vary`` as for a fresh page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "FESTIVAL_PAGE_CACHE_SECONDS", 300)
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if request.path.startswith("/admin/") and response.status_code < 400 and user and user.is_staff:
                # Admin actions and the catalogue import may write with bulk queries, which send no signals.
                bump_publication_version()
            return response
        if not seconds or not self._cacheable_request(request):
            return self.get_response(request)

        version = publication_version()
        scheduled = cache.get(_schedule_key(version))
        if scheduled and timezone.now().timestamp() >= scheduled:
            # An announcement time has passed since these pages were stored.
            version = bump_publication_version()
            scheduled = None
        key = page_key(version, get_language(), request.get_full_path())
        # Without the version's next scheduled change known, a stored page cannot be trusted to be current.
        cached = cache.get(key) if scheduled is not None else None
        if cached is not None:
            conditional = get_conditional_response(request, etag=cached.get("ETag"), response=cached)
            conditional[CACHE_STATUS_HEADER] = "hit"
            return conditional

        response = self.get_response(request)
        if request.method == "GET" and self._cacheable_response(response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            if scheduled is None:
                moment = next_scheduled_change()
                cache.set(_schedule_key(version), moment or NO_SCHEDULED_CHANGE, SCHEDULE_SECONDS)
            cache.set(key, response, seconds)
            response[CACHE_STATUS_HEADER] = "miss"
            if response.status_code == 200 and parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
                response = get_conditional_response(request, etag=response["ETag"], response=response)
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
