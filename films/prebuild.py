"""Printed programmes built ahead of their first request.

WeasyPrint takes about a second to lay out one day of a large edition (``films/programme_pdf.py``), far longer than
any page. A booklet is kept under a digest of its document (``render_pdf``), so a request after a change reads the
programme (a few queries and a template, some 20 ms) and finds its booklet built, unless what it prints changed:
then that request would wait for WeasyPrint. ``prebuild_booklets`` builds them first, so that no visitor waits.

For an edition, in every language: each day's booklet and each published section's (the whole edition's, some 10
seconds, only when asked: ``whole=True``). A booklet whose document has not changed is found by its digest and not
built again, so a run after a change builds only what the change touched (a moved screening: its old and new day
and its section, in each language).

``manage.py prebuild_booklets`` runs it once for the editions that have not ended; with ``--watch`` it stays
running, sees a change to an edition by the version of its page-cache key (``films.cache``: one read of the shared
cache a round), and builds that edition's booklets again once the change has settled. Booklets are kept in the
shared cache (Redis), where the app servers find them: without one (local memory) there is nothing to build for.
gunicorn.conf.py starts the watcher beside the app when ``FESTIVAL_PREBUILD_BOOKLETS`` is on (by default, with a
shared cache); with several app servers each may run one, and a lock in the shared cache lets one build an edition
at a time.
"""

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from .cache import ALL, key, key_versions
from .models import Edition
from .programme_pdf import pdf_key, programme_html, render_pdf
from .queries import section_names

logger = logging.getLogger(__name__)


@dataclass
class Built:
    """What one run did: the booklets it built and those it found already built, as ``(language, label)``."""

    built: list = field(default_factory=list)
    found: list = field(default_factory=list)


def booklets(edition, whole=False):
    """The booklets of ``edition`` visitors may ask for: ``(label, chosen)`` with ``chosen`` as the PDF view cleans
    it (``day``: a date, ``section``: a key); the whole edition last, with ``whole``."""
    days = (edition.end_date - edition.start_date).days + 1 if edition.start_date and edition.end_date else 0
    for offset in range(days):
        day = edition.start_date + datetime.timedelta(days=offset)
        yield day.isoformat(), {"day": day}
    for section in section_names(edition).values():
        yield section["key"], {"section": section["key"]}
    if whole:
        yield "whole", {}


def prebuild_booklets(edition, languages=None, whole=False):
    """Build the booklets of ``edition`` (published, with its festival) in ``languages`` (default: every language
    of the site) whose document changed since they were last built; a ``Built``."""
    result = Built()
    for language in languages or [code for code, _name in settings.LANGUAGES]:
        with translation.override(language):
            for label, chosen in booklets(edition, whole):
                html = programme_html(edition, chosen)
                if cache.has_key(pdf_key(html)):
                    result.found.append((language, label))
                else:
                    render_pdf(html)
                    result.built.append((language, label))
    return result


def shared_cache():
    """Whether the cache is shared with the app servers (not each process's own memory)."""
    return not settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


# While one watcher builds an edition's booklets, another (on another app server) leaves that edition for a later
# round; the lock lapses after this long if its holder died.
LOCK_SECONDS = 15 * 60


def lock_name(edition):
    return f"festival:prebuild:{edition.key}"


def editions_to_watch(today=None):
    """The published editions that have not ended (an archive's booklets do not change): with their festival."""
    today = today or timezone.localdate()
    return list(
        Edition.objects.published()
        .filter(end_date__gte=today - datetime.timedelta(days=1))
        .select_related("festival")
        .order_by("start_date", "key")
    )


class Watcher:
    """Builds an edition's booklets again once a change to it has settled (``settle`` seconds without another).

    ``step(now)`` is one round: it reads the versions of the editions' keys, notes which changed since their
    booklets were last built, and builds those whose last change is ``settle`` seconds old. The first round
    builds every edition watched (after a restart nothing says what is built)."""

    def __init__(self, settle=5.0, whole=False, languages=None, report=None, editions=editions_to_watch):
        self.settle, self.whole, self.languages, self.editions = settle, whole, languages, editions
        self.report = report or (lambda edition, result: None)
        self.built_at = {}  # edition key → the versions its booklets were last built for
        self.changed_at = {}  # edition key → (versions, when they were first seen)

    def step(self, now=None):
        now = time.monotonic() if now is None else now
        editions = self.editions()
        versions = key_versions([ALL, *(key("edition", edition.key) for edition in editions)])
        everything, each = versions[0], versions[1:]
        for edition, version in zip(editions, each, strict=True):
            current = (everything, version)
            if self.built_at.get(edition.key) == current:
                self.changed_at.pop(edition.key, None)
                continue
            seen, since = self.changed_at.get(edition.key, (None, now))
            if seen != current:
                since = now if edition.key in self.built_at else now - self.settle  # First round: at once.
                self.changed_at[edition.key] = (current, since)
            if now - since >= self.settle and cache.add(lock_name(edition), True, LOCK_SECONDS):
                try:
                    self.report(edition, prebuild_booklets(edition, self.languages, self.whole))
                finally:
                    cache.delete(lock_name(edition))
                # A change during the build bumped the versions again: the next round sees it.
                self.built_at[edition.key] = current
                self.changed_at.pop(edition.key, None)

    def run(self, interval=1.0, rounds=None):
        """A round every ``interval`` seconds (``rounds`` of them, or for ever). A round that fails (the database
        or Redis away, a booklet WeasyPrint cannot lay out) is logged and the next one tries again: the watcher
        outlives what the app servers outlive."""
        done = 0
        while rounds is None or done < rounds:
            try:
                self.step()
            except Exception:
                logger.exception("Building the printed programmes ahead failed; trying again in %s s.", interval)
            done += 1
            time.sleep(interval)
