"""Whole-page cache of the public site, made stale precisely by what a change touched.

Every anonymous GET/HEAD of a public page (under a language prefix, ``/api/v1/`` or the sitemaps) that answers
200 without setting a cookie is kept in Django's cache under ``(language, full path with query string)``, with
the surrogate keys that name what it shows and the versions those keys had when it was rendered (the rule is
below, under "What a change makes stale"). Every save, delete or many-to-many change of a films model bumps the
versions of the keys it touches when its transaction commits (a POST to the admin bumps them once, when the view
has answered, however many rows it wrote), so the next request for a page showing what changed misses the cache
and renders fresh, while every other page stays cached. The same keys go to the HTTP caches in front
(``films.purge``), and every stored page tells them its keys (``Surrogate-Key``) and how long they may keep it
(``Cache-Control: s-maxage``, ``stale-while-revalidate``, ``stale-if-error``).

Some changes happen by the clock, not by a save: award results become public at their announcement time
(``results_announced_at`` of a section or its edition, else the end of the edition's last day), a screening moves
from "upcoming" to past when it starts or ends, and online screenings open and close
(``available_from``/``available_until``). A stored page keeps the next such moment; once it has passed, the page
is rendered again, and the HTTP caches keep it no longer than until then. (The programme's default day, "today" in
the edition's time zone, can lag by up to the page lifetime.)

A hit needs no database query; it answers ``If-None-Match`` with 304 from the stored ETag. What is stored is the
view's status, headers and body (not a pickled response), and each process keeps a copy of the entries it served
lately, so that a hit costs one small read of the shared cache (its keys' versions). Concurrent misses for one page
wait for a single render (``FESTIVAL_PAGE_CACHE_WAIT_SECONDS``, default 3) instead of each rendering it. When the
database is down, a page whose stored copy is out of date is served from that copy (``X-Page-Cache: stale``) rather
than as a 503.

With several app server processes the cache must be shared (``CACHE_URL=redis://...``): a local memory cache would
keep the versions per process. ``gunicorn.conf.py`` turns the page cache off when it starts several workers
without a shared cache.

``FESTIVAL_PAGE_CACHE_SECONDS`` (default 300) is how long a page is kept; 0 turns the cache off.
"""

import datetime
import functools
import hashlib
import logging
import re
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from contextvars import ContextVar
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import CharField, F, Min, Q, Value
from django.db.models.functions import Concat
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.text import compress_string
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# A counter raised by every change, before the keys' versions: a page rendered while it moved is not stored.
VERSION_KEY = "festival:publication-version"
KEY_VERSION_PREFIX = "festival:key:1"
# The entry format is part of the key: pages stored by an earlier release are never read back.
PAGE_KEY_PREFIX = "festival:page:4"
SCHEDULE_KEY_PREFIX = "festival:next-scheduled-change"
NO_SCHEDULED_CHANGE = 0
SCHEDULE_SECONDS = 24 * 60 * 60
CACHE_STATUS_HEADER = "X-Page-Cache"
SURROGATE_KEY_HEADER = "Surrogate-Key"
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# Staff POSTs that write nothing.
ADMIN_SESSION_PATHS = ("/admin/login/", "/admin/logout/")
# How long the HTTP caches in front may serve a page stale: while they fetch it again, and while the app is down.
STALE_WHILE_REVALIDATE_SECONDS = 30
STALE_IF_ERROR_SECONDS = 24 * 60 * 60


def publication_version():
    """The change counter: raised by every change (an ever larger number); created when the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def fresh_version():
    """A starting counter above any the cache may still hold pages under.

    The counter can vanish (a local-memory cache culls entries when full, Redis may evict); starting again from the
    clock in microseconds lands above every earlier value, which began at the clock too and which each change raised
    by one (far fewer than one change per microsecond).
    """
    return int(time.time() * 1_000_000)


def _raise_counter():
    try:
        return cache.incr(VERSION_KEY)
    except ValueError:
        # Missing (never set, evicted or cleared): start again above any value a page may be stored under.
        cache.add(VERSION_KEY, fresh_version(), timeout=None)
        return cache.incr(VERSION_KEY)


def bump_publication_version():
    """Make every cached page stale (writes that send no signals: bulk admin actions, imports); the new counter."""
    return invalidate({ALL})


# Documents kept while what they show is unchanged ------------------------------------------------------------------

EXPORT_KEY_PREFIX = "festival:export:1"
EXPORT_SECONDS = 7 * 24 * 60 * 60


@functools.cache
def words_digest(language):
    """A digest of ``language``'s compiled translations (the words a document adds), once per process."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(settings.BASE_DIR).glob(f"films/locale/{language}/LC_MESSAGES/*.mo")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def kept(name, keys, build):
    """The bytes ``build()`` returns, kept (compressed) under ``name`` until one of ``keys`` is invalidated or a
    scheduled change passes: the whole-edition exports, built once for each state of what they show, so that no
    request after the first one renders them again, page cache or not. ``name`` must say everything else the bytes
    depend on (the address asked for, the language and its translations, the format's own version).
    The active language and its translations are added to the name. ``FESTIVAL_EXPORT_CACHE = False`` builds them
    every time."""
    if not settings.FESTIVAL_EXPORT_CACHE:
        return build()
    language = get_language()
    name = f"{name}|{language}|{words_digest(language)}"
    store = f"{EXPORT_KEY_PREFIX}:{hashlib.sha256(name.encode()).hexdigest()}"
    counter, versions = key_versions(keys, with_counter=True)
    found = cache.get(store)
    now = timezone.now().timestamp()
    if isinstance(found, tuple) and len(found) == 3:
        stored_versions, scheduled, body = found
        if stored_versions == versions and not (scheduled and now >= scheduled):
            return zlib.decompress(body)
    scheduled = scheduled_change(counter)
    body = build()
    # As for pages: a document built while a change committed may show the old state; it is not kept.
    if key_versions(keys, with_counter=True)[0] == counter:
        cache.set(store, (versions, scheduled, zlib.compress(body, 6)), EXPORT_SECONDS)
    return body


# What a change makes stale ---------------------------------------------------------------------------------------
#
# A stored page carries surrogate keys naming what it shows (``page_keys``), and each key has a version in the shared
# cache. A change bumps the versions of the keys of what it touched (``change_keys``) once it commits, and sends the
# same keys to the HTTP caches in front (``films.purge``). A stored page is current while none of its keys' versions
# changed since it was rendered, so a save makes stale only the pages that show what it changed.
#
#   page                                                   its keys (besides ``all``, which every page carries)
#   an edition's pages (/<lang>/<edition>/..., /api/v1/<edition>/..., its calendars)      edition-<edition key>
#   a film's page                        film-<film key>, and film-<key> of each film it suggests
#   a person's page, an award's page across years          person-<key>, award-<award key>
#   a venue's page                                         venues
#   search                                                 search
#   home, the list of editions           editions, and edition-<key> of the edition home shows
#   anything else (sitemaps, the personal programme)       other
#
#   a change to                                            bumps (besides ``other``, which every change bumps)
#   a film, or its titles, images, copies, festival history, credits, filmography, tags on it
#        film-<key>, edition-<key> of every edition it is selected or screened in, person-<key> of its people,
#        award-<key> of its awards, search, venues
#   a film's selection in a section      the film's keys, and edition-<key> of the section's edition
#   a screening, its films or guests     edition-<key>, film-<key> of its films, person-<key> of its guests, venues
#   a section                            edition-<key>, search, and film-<key> of the films selected in it
#   a person (or an alias)               person-<key>, search, and the keys of their films
#   an award, a result, a jury member    award-<key>, edition-<key>, and the film-<key> and person-<key> involved
#   a festival, an edition, a venue, a screen, a travel time, a tag, a company: ``all`` (shown on many pages of
#        many editions, and rarely changed during a festival)
#   writes that send no signals (bulk admin actions, imports)                 all
#
# A key that was renamed bumps its old name too (``remember_old_key``): the page at the old address must not be
# served. More than ``MAX_KEYS_PER_CHANGE`` keys are replaced by ``all``.

ALL = "all"
OTHER = "other"
MAX_KEYS_PER_CHANGE = 1000


def key(kind, value):
    """A surrogate key: ``film-we-will-not-fade-away``, ``edition-idfa-2023``."""
    return f"{kind}-{value}"


def page_keys(request):
    """The keys of the page ``request`` was answered with: from its URL, plus those its view added (``shows``)."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else None
    kwargs = match.kwargs if match else {}
    declared = getattr(request, "festival_page_keys", ())
    keys = {ALL, *declared}
    if name in ("film", "person", "award"):
        keys.add(key(name, kwargs[name]))
    elif name == "venue":
        keys.add("venues")
    elif name == "search":
        keys.add("search")
    elif name in ("home", "editions"):
        pass
    elif "edition" in kwargs:
        # A day of the programme declares its own keys (``programme_keys``): it is not stale when another day changes.
        if not any(name.startswith("programme-") for name in declared):
            keys.add(key("edition", kwargs["edition"]))
    else:
        keys.add(OTHER)
    return tuple(sorted(keys))


def programme_keys(edition_key, day):
    """The keys of a page showing one day of an edition's programme: that day's screenings, and what every day shows
    (films, sections, the filters' options)."""
    return key("programme", edition_key), day_key(edition_key, day)


def shows(request, *keys):
    """Add ``keys`` to the page a view answers ``request`` with (what its URL does not say it shows)."""
    request.festival_page_keys = {*getattr(request, "festival_page_keys", ()), *keys}


def _kind(queryset, kind, field):
    """The keys ``<kind>-<field>`` of the rows of ``queryset``, as one column to put in a UNION with others."""
    name = Concat(Value(f"{kind}-"), F(field), output_field=CharField())
    return queryset.filter(**{f"{field}__isnull": False}).order_by().annotate(_key=name).values_list("_key", flat=True)


def _union(*querysets):
    first, *rest = querysets
    return set(first.union(*rest, all=True))


def keys_of_films(film_ids):
    """The keys of the pages that show the films ``film_ids``: their own pages, their editions' pages, their
    people's and awards' pages, the venues' pages and search. One query."""
    from .models import AwardResult, Credit, Film, FilmographyEntry, ScreeningFilm, Selection

    ids = {pk for pk in film_ids if pk is not None}
    if not ids:
        return set()
    return {"search", "venues"} | _union(
        _kind(Film.objects.filter(pk__in=ids), "film", "key"),
        _kind(Selection.objects.filter(film_id__in=ids), "edition", "section__edition__key"),
        _kind(ScreeningFilm.objects.filter(film_id__in=ids), "edition", "screening__edition__key"),
        _kind(Credit.objects.filter(film_id__in=ids, person__isnull=False), "person", "person__key"),
        _kind(FilmographyEntry.objects.filter(film_id__in=ids), "person", "person__key"),
        _kind(AwardResult.objects.filter(film_id__in=ids), "award", "award__key"),
    )


def day_key(edition_key, day):
    """The key of one day of an edition's programme: ``day-idfa-2023-2023-11-12``."""
    return key("day", f"{edition_key}-{day.isoformat()}")


def keys_of_screenings(screening_ids):
    """The keys of the pages that show the screenings: their edition's, their days' programmes, their films', their
    guests'. Two queries."""
    from .models import Edition, Screening, ScreeningFilm, ScreeningGuest

    ids = {pk for pk in screening_ids if pk is not None}
    if not ids:
        return set()
    keys = {"venues"}
    for edition_key, zone, starts_at in Screening.objects.filter(pk__in=ids).values_list(
        "edition__key", "edition__timezone", "starts_at"
    ):
        keys |= {key("edition", edition_key), day_key(edition_key, Edition(timezone=zone).local_date(starts_at))}
    return keys | _union(
        _kind(ScreeningFilm.objects.filter(screening_id__in=ids), "film", "film__key"),
        _kind(ScreeningGuest.objects.filter(screening_id__in=ids), "person", "person__key"),
    )


# What a screening's change must compare to know whether the programme's filters (venues, subtitles) may change.
SCREENING_OPTION_FIELDS = ("edition_id", "screen_id", "subtitles", "published")


def _screening_keys(screening):
    """A screening's keys, and those of the day it was on before a move; the whole programme of its edition when the
    programme's filter options may change (a screening added, deleted, published or withdrawn, or given another
    screen or other subtitles)."""
    from .models import Edition

    keys = keys_of_screenings([screening.pk])
    before = getattr(screening, "_festival_before", None)
    edition = Edition.objects.filter(pk=screening.edition_id).values("key", "timezone").first()
    if edition is None:
        return keys | {ALL}
    if before is not None:
        keys.add(day_key(edition["key"], Edition(timezone=edition["timezone"]).local_date(before["starts_at"])))
    if before is None or any(before[name] != getattr(screening, name) for name in SCREENING_OPTION_FIELDS):
        keys.add(key("programme", edition["key"]))
    return keys


def keys_of_people(person_ids):
    """The keys of the pages that show the people: their own, search, and those of their films and awards."""
    from .models import AwardResult, Credit, FilmographyEntry, Person

    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return set()
    film_ids = {
        *Credit.objects.filter(person_id__in=ids).values_list("film_id", flat=True),
        *FilmographyEntry.objects.filter(person_id__in=ids, film__isnull=False).values_list("film_id", flat=True),
    }
    return (
        {"search"}
        | _union(
            _kind(Person.objects.filter(pk__in=ids), "person", "key"),
            _kind(AwardResult.objects.filter(person_id__in=ids), "award", "award__key"),
        )
        | keys_of_films(film_ids)
    )


def _edition_key(edition_id):
    from .models import Edition

    return {key("edition", value) for value in Edition.objects.filter(pk=edition_id).values_list("key", flat=True)}


def _section_keys(section):
    from .models import Selection

    films = Selection.objects.filter(section_id=section.pk).values_list("film__key", flat=True)
    return {"search", *_edition_key(section.edition_id), *(key("film", value) for value in films)}


def _award_keys(award):
    from .models import AwardResult

    results = AwardResult.objects.filter(award_id=award.pk)
    return {
        key("award", award.key),
        *_edition_key(award.edition_id),
        *_union(_kind(results, "film", "film__key"), _kind(results, "person", "person__key")),
    }


def _award_result_keys(result):
    from .models import Award

    return (
        _award_keys(Award(pk=result.award_id, **Award.objects.values("key", "edition_id").get(pk=result.award_id)))
        if result.award_id
        else {ALL}
    )


def _jury_keys(member):
    from .models import Award, Person, Section

    section = Section.objects.filter(pk=member.section_id).values("edition_id").first() or {}
    awards = Award.objects.filter(section_id=member.section_id).values_list("key", flat=True)
    people = Person.objects.filter(pk=member.person_id).values_list("key", flat=True)
    return {
        *_edition_key(section.get("edition_id")),
        *(key("award", value) for value in awards),
        *(key("person", value) for value in people),
    }


def _history_award_keys(history_award):
    from .models import FestivalHistoryEntry

    return keys_of_films(
        FestivalHistoryEntry.objects.filter(pk=history_award.entry_id).values_list("film_id", flat=True)
    )


# Per model (by name): the keys a change to one record of it bumps. A model not named here bumps ``all``.
CHANGE_KEYS = {
    "Film": lambda film: keys_of_films([film.pk]),
    "FilmTitle": lambda row: keys_of_films([row.film_id]),
    "FilmImage": lambda row: keys_of_films([row.film_id]),
    "FilmCopy": lambda row: keys_of_films([row.film_id]),
    "FestivalHistoryEntry": lambda row: keys_of_films([row.film_id]),
    "FestivalHistoryAward": _history_award_keys,
    "CompanyCredit": lambda row: keys_of_films([row.film_id]),
    "Credit": lambda row: keys_of_films([row.film_id]) | keys_of_people([row.person_id]),
    "FilmographyEntry": lambda row: keys_of_films([row.film_id]) | keys_of_people([row.person_id]),
    "Selection": lambda row: keys_of_films([row.film_id]) | _section_keys_of_id(row.section_id),
    "Screening": _screening_keys,
    "ScreeningFilm": lambda row: keys_of_screenings([row.screening_id]) | _film_key_of_id(row.film_id),
    "ScreeningGuest": lambda row: keys_of_screenings([row.screening_id]) | keys_of_people([row.person_id]),
    "Section": _section_keys,
    "Person": lambda person: keys_of_people([person.pk]),
    "PersonAlias": lambda alias: keys_of_people([alias.person_id]),
    "Award": _award_keys,
    "AwardResult": _award_result_keys,
    "JuryMember": _jury_keys,
}


def _section_keys_of_id(section_id):
    from .models import Section

    section = Section.objects.filter(pk=section_id).only("pk", "edition_id").first()
    return {"search"} | (_edition_key(section.edition_id) if section else set())


def _film_key_of_id(film_id):
    from .models import Film

    return {key("film", value) for value in Film.objects.filter(pk=film_id).values_list("key", flat=True)}


# The kind of page a model's ``key`` names, for the models whose key is part of a public address.
RENAMED_KEYS = {"Film": "film", "Person": "person", "Award": "award"}


def change_keys(model, instance):
    """The keys a change to ``instance`` (of ``model``) makes stale (see the table above)."""
    keys_of = CHANGE_KEYS.get(model.__name__)
    if keys_of is None:
        return {ALL}
    keys = set(keys_of(instance))
    if model.__name__ != "Screening":
        # Anything but a screening's own fields may show on every day of its editions' programmes.
        keys |= {key("programme", name.removeprefix("edition-")) for name in keys if name.startswith("edition-")}
    old = getattr(instance, "_festival_old_key", None)
    if old:
        keys.add(key(RENAMED_KEYS[model.__name__], old))
    return keys


def remember_old_key(sender, instance, raw=False, **kwargs):
    """Before a save of a record whose key is in a public address: note its stored key, should it change; before a
    screening's, what it was (a move makes its former day's programme stale)."""
    if raw or instance.pk is None:
        return
    if sender.__name__ == "Screening":
        instance._festival_before = (
            sender._default_manager.filter(pk=instance.pk).values("starts_at", *SCREENING_OPTION_FIELDS).first()
        )
    elif sender.__name__ in RENAMED_KEYS:
        stored = sender._default_manager.filter(pk=instance.pk).values_list("key", flat=True).first()
        instance._festival_old_key = stored if stored != instance.key else None


def _new_version():
    return secrets.randbits(62)


def _version_name(name):
    return f"{KEY_VERSION_PREFIX}:{name}"


def key_versions(keys, *, with_counter=False):
    """The current versions of ``keys``, as a tuple in their order (a key without one gets one); with the change
    counter, ``(counter, versions)``, read together in one round trip."""
    names = [_version_name(name) for name in keys]
    found = cache.get_many([VERSION_KEY, *names] if with_counter else names)
    missing = [name for name in names if name not in found]
    if missing:
        for name in missing:
            cache.add(name, _new_version(), timeout=None)
        found.update(cache.get_many(missing))
    versions = tuple(found.get(name) for name in names)
    return (found.get(VERSION_KEY), versions) if with_counter else versions


def invalidate(keys):
    """Make stale every page that carries one of ``keys`` (``other`` too), here and in the HTTP caches in front.

    The counter is raised first: a page whose render overlapped this is not stored (see the middleware).
    """
    keys = set(keys)
    if len(keys) > MAX_KEYS_PER_CHANGE:
        keys = {ALL}
    keys.add(OTHER)
    counter = _raise_counter()
    cache.set_many({_version_name(name): _new_version() for name in keys}, timeout=None)
    from . import purge

    purge.send(sorted(keys))
    return counter


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


def scheduled_change(counter):
    """The next scheduled change (a timestamp, 0 for none) as of the change ``counter``, kept in the cache until it
    passes or the counter moves."""
    name = f"{SCHEDULE_KEY_PREFIX}:{counter}"
    moment = cache.get(name)
    if moment is None or (moment and timezone.now().timestamp() >= moment):
        moment = next_scheduled_change() or NO_SCHEDULED_CHANGE
        cache.set(name, moment, SCHEDULE_SECONDS)
    return moment


# Set while the middleware handles a POST to the admin: the keys its changes touch are gathered here, and the
# middleware invalidates them once when the view has answered (after its transaction committed).
_admin_changes = ContextVar("festival_admin_changes", default=None)


def _record(keys, using):
    changes = _admin_changes.get()
    if changes is not None:
        changes.update(keys)
        return
    # Once the change is visible to other connections (at once outside a transaction). Invalidating before the
    # commit would buy nothing: a page rendered before the commit shows the old content whatever it is stored
    # under, and the invalidation at commit makes it stale.
    transaction.on_commit(lambda: invalidate(keys), using=using)


def _saved(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        # Fixture loading: nothing is served from a half-loaded database anyway.
        return
    _record(change_keys(sender, instance), using)


def _deleting(sender, instance, using=None, **kwargs):
    # Before the delete, while the record's links (its film, its edition) can still be read.
    _record(change_keys(sender, instance), using)


def _m2m_changed(sender, instance, action, model, pk_set, using=None, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    keys = change_keys(type(instance), instance)
    if pk_set and model.__name__ == "Film":
        keys |= keys_of_films(pk_set)
    _record(keys, using)


def connect_signals():
    """Invalidate on ``post_save``, ``pre_delete`` and ``m2m_changed`` of every films model."""
    for model in apps.get_app_config("films").get_models():
        uid = f"festival-page-cache-{model._meta.label_lower}"
        pre_save.connect(remember_old_key, sender=model, dispatch_uid=f"{uid}-old-key")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}-{field.name}-m2m")


def is_public_path(path):
    """Public pages: under a site language prefix, the JSON API, the sitemap index and parts and the identity
    stylesheet; never the admin."""
    if path.startswith("/admin/"):
        return False
    if (
        path.startswith("/api/v1/")
        or path in ("/sitemap.xml", "/identity.css")
        or (path.startswith("/sitemap-") and path.endswith(".xml"))
    ):
        return True
    first = path.lstrip("/").split("/", 1)[0]
    return first in {code for code, _name in settings.LANGUAGES}


def page_key(language, address):
    """The cache key of the page at ``address`` (scheme, host, path and query string) in ``language``."""
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{language}:{digest}"


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
    """A stored page: what the view answered, what it shows, and when it stops being current."""

    etag: str
    scheduled: float  # the next scheduled change when it was rendered (a timestamp), 0 for none
    status: int
    headers: tuple
    body: bytes
    attributes: tuple = ()  # the response's ``view_attributes``
    keys: tuple = ()  # its surrogate keys (``page_keys``)
    versions: tuple = ()  # their versions when it was rendered
    expires: float = 0  # when the cache drops it (a timestamp)
    gzipped: bytes = b""  # the body compressed once, for the clients that accept gzip

    @classmethod
    def of(cls, response, scheduled, keys, versions, expires):
        return cls(
            response["ETag"],
            scheduled,
            response.status_code,
            tuple(response.items()),
            response.content,
            view_attributes(response),
            keys,
            versions,
            expires,
            # The same for every visitor and holding no secret, so compressed once here rather than by
            # GZipMiddleware on every hit (which leaves a response with a Content-Encoding alone).
            compress_string(response.content),
        )

    @property
    def size(self):
        return len(self.body) + len(self.gzipped)

    def response(self, request):
        """The stored page; gzip-compressed when ``request`` accepts it."""
        compressed = bool(self.gzipped) and accepts_gzip(request)
        # (Only a 200 is stored: no test can tell its status from the default.)
        response = HttpResponse(self.gzipped if compressed else self.body, status=self.status)  # pragma: no mutate
        for name, value in self.headers:
            response[name] = value
        # (GZipMiddleware says it too, of every body over 200 bytes.)
        patch_vary_headers(response, ("Accept-Encoding",))  # pragma: no mutate
        if compressed:
            response["Content-Encoding"] = "gzip"  # pragma: no mutate - header names ignore case
            # Another representation than the identity body: as GZipMiddleware does, its ETag is weak (every stored
            # ETag is the strong one ``set_response_etag`` gave it).
            response["ETag"] = f"W/{self.etag}"  # pragma: no mutate - header names ignore case
        for_shared_caches(response, self.expires, self.scheduled)
        return with_view_attributes(response, self.attributes)

    def is_current(self):
        """Whether none of its keys was invalidated and no scheduled change passed since it was rendered."""
        if self.scheduled and timezone.now().timestamp() >= self.scheduled:
            return False
        return bool(self.keys) and key_versions(self.keys) == self.versions


ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def accepts_gzip(request):
    """Whether the request's ``Accept-Encoding`` names gzip (as GZipMiddleware reads it)."""
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def for_shared_caches(response, expires, scheduled):
    """Tell the HTTP caches in front how long they may keep ``response``: until this cache drops it, or until the
    next scheduled change, whichever comes first; stale while they fetch it again, and while the app fails."""
    now = time.time()
    until = min(expires, scheduled) if scheduled else expires
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=max(0, int(until - now)),
        stale_while_revalidate=STALE_WHILE_REVALIDATE_SECONDS,
        stale_if_error=STALE_IF_ERROR_SECONDS,
    )


class LocalPages:
    """This process's copy of recently served entries, so a hit costs one small read of the shared cache.

    An entry here is checked like the shared copy (its keys' versions); it is dropped after the page lifetime like
    the shared copy, and the least recently used go first once the entries' bodies exceed
    ``FESTIVAL_PAGE_CACHE_LOCAL_BYTES`` (default 32 MiB).
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
        if entry.size > limit:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + seconds, entry)
            self.size += entry.size
            while self.size > limit:
                self._drop(next(iter(self.entries)))

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0

    def _drop(self, key):
        _expires, entry = self.entries.pop(key)
        self.size -= entry.size


local_pages = LocalPages()


def stored_entry(key, seconds):
    """The stored entry under ``key``, current or not, from this process's copy or the shared cache; or None."""
    entry = local_pages.get(key)
    if entry is None:
        entry = cache.get(key)
        if not isinstance(entry, Entry):
            return None
        local_pages.put(key, entry, max(1, int(entry.expires - time.time())) if entry.expires else seconds)
    return entry


class PublicPageCacheMiddleware:
    """Serve and store whole public pages for anonymous visitors (see the module docstring).

    Placed last in ``MIDDLEWARE`` (after the locale and authentication middleware): what it stores is the view's
    own response, and a hit still passes out through every other middleware, which add the security headers, the
    CSP, ``Content-Language`` and ``Vary`` as for a fresh page.

    A hit reads the entry from this process's ``local_pages`` or, failing that, from the shared cache, then the
    versions of its keys from the shared cache (one read).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "FESTIVAL_PAGE_CACHE_SECONDS", 300)
        if request.method not in ("GET", "HEAD"):
            if not request.path.startswith("/admin/"):
                return self.get_response(request)
            return self.admin_post(request)
        if not seconds or not self._cacheable_request(request):
            return self.get_response(request)

        # The scheme and host too: behind a proxy the same path is asked for as https://festival.example/...
        key = page_key(get_language(), request.build_absolute_uri())
        entry = stored_entry(key, seconds)
        if entry is not None and entry.is_current():
            return self.hit(request, entry)
        # Served instead of a 503 should the page fail to render because the database is down.
        stale = entry
        # Single flight: one request renders the page; the others wait for it, up to a few seconds.
        lock = f"{key}:rendering"
        deadline = time.monotonic() + settings.FESTIVAL_PAGE_CACHE_WAIT_SECONDS
        pause = 0.005
        while not cache.add(lock, 1, timeout=max(1, int(settings.FESTIVAL_PAGE_CACHE_WAIT_SECONDS) + 1)):
            if time.monotonic() >= deadline:
                return self.render(request, key, seconds, lock=None, stale=stale)
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
            entry = stored_entry(key, seconds)
            if entry is not None and entry.is_current():
                return self.hit(request, entry)
        return self.render(request, key, seconds, lock=lock, stale=stale)

    @staticmethod
    def hit(request, entry, state="hit"):
        response = entry.response(request)
        if state == "stale":
            # Out of date: no shared cache may keep it as current.
            patch_cache_control(response, s_maxage=0)
        conditional = get_conditional_response(request, etag=entry.etag, response=response)
        with_view_attributes(conditional, entry.attributes)
        conditional[CACHE_STATUS_HEADER] = state
        return conditional

    def render(self, request, key, seconds, lock, stale=None):
        try:
            counter = publication_version()
            # Known before rendering: a moment passing while the page renders makes the entry stale at once.
            try:
                scheduled = scheduled_change(counter)
            except DatabaseError:
                # The database is down: the view will fail too, and the stale copy (if any) is served below.
                scheduled = NO_SCHEDULED_CHANGE
            # The view renders the whole page even for a revalidating browser, so that it can be stored: were it to
            # answer 304 itself, nothing would be stored while every visitor revalidates.
            conditions = {name: request.META.pop(name) for name in CONDITIONAL_HEADERS if name in request.META}
            try:
                response = self.get_response(request)
            finally:
                request.META.update(conditions)
            if request.method == "GET" and self._cacheable_response(response):
                keys = page_keys(request)
                # Read after rendering, with the counter: a change committed while the page rendered raised the
                # counter first, and such a page (which may show the old content) is served but not stored.
                now_counter, versions = key_versions(keys, with_counter=True)
                expires = time.time() + seconds
                if not response.has_header("ETag"):
                    set_response_etag(response)
                response[SURROGATE_KEY_HEADER] = " ".join(keys)
                for_shared_caches(response, expires, scheduled)
                if now_counter == counter:
                    entry = Entry.of(response, scheduled, keys, versions, expires)
                    cache.set(key, entry, seconds)
                    local_pages.put(key, entry, seconds)
                response[CACHE_STATUS_HEADER] = "miss"
        finally:
            if lock:
                cache.delete(lock)
        if response.status_code == HTTPStatus.SERVICE_UNAVAILABLE and stale is not None:
            # The database is down (festival.middleware answered 503): the last copy is better than nothing.
            return self.hit(request, stale, state="stale")
        if conditions and response.status_code == 200 and response.has_header("ETag"):
            state = response.get(CACHE_STATUS_HEADER)
            attributes = view_attributes(response)
            response = get_conditional_response(request, etag=response["ETag"], response=response)
            with_view_attributes(response, attributes)
            if state:
                response[CACHE_STATUS_HEADER] = state
        return response

    def admin_post(self, request):
        # One invalidation per admin save, however many rows it wrote.
        changes = set()
        token = _admin_changes.set(changes)
        try:
            response = self.get_response(request)
        finally:
            _admin_changes.reset(token)
        user = getattr(request, "user", None)
        if changes:
            invalidate(changes)
        elif (
            response.status_code < 400
            and user is not None
            and user.is_staff
            and request.path not in ADMIN_SESSION_PATHS
        ):
            # Admin actions and the catalogue import may write with bulk queries, which send no signals.
            invalidate({ALL})
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
