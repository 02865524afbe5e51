"""Telling the HTTP caches in front of the app what a change made stale.

``films.cache`` calls ``send(keys)`` once a change has committed, with the surrogate keys of the pages it made stale
(the same keys every stored page names in its ``Surrogate-Key`` header). Each URL in ``FESTIVAL_PURGE_URLS`` gets
them through ``FESTIVAL_PURGE_BACKEND``, a class taking the URL and answering ``purge(keys)``:

- ``films.purge.VarnishXkey`` (the default): ``PURGE /`` with the header ``xkey-purge: <keys>``, which the VCL in
  ``docs/production/festival.vcl`` hands to Varnish's xkey module (a hard purge: the next request fetches the page).

A CDN's purge API is another such class beside it (Fastly's, for one, takes the same surrogate keys). A cache that
cannot be reached costs the save at most ``TIMEOUT_SECONDS`` per URL and is logged; it never fails the save, and
such a cache serves the page until its ``s-maxage`` runs out.
"""

import http.client
import logging
import urllib.parse

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1
# Varnish and most CDNs limit a header's length; longer lists of keys go in several requests.
MAX_HEADER_LENGTH = 4000


def batches(keys, limit=MAX_HEADER_LENGTH):
    """``keys`` as space-separated header values of at most ``limit`` characters each."""
    batch = []
    length = 0
    for name in keys:
        if batch and length + 1 + len(name) > limit:
            yield " ".join(batch)
            batch, length = [], 0
        length += len(name) + (1 if batch else 0)
        batch.append(name)
    if batch:
        yield " ".join(batch)


class VarnishXkey:
    """Varnish with the xkey module (Debian's varnish-modules): ``PURGE`` with an ``xkey-purge`` header."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"FESTIVAL_PURGE_URLS: {url!r} is not an http:// or https:// address.")
        self.url = url
        self.parts = parts

    def __repr__(self):
        return f"VarnishXkey({self.url!r})"

    def connection(self):
        kind = http.client.HTTPSConnection if self.parts.scheme == "https" else http.client.HTTPConnection
        return kind(self.parts.hostname, self.parts.port, timeout=TIMEOUT_SECONDS)

    def purge(self, keys):
        for header in batches(keys):
            connection = self.connection()
            try:
                connection.request("PURGE", self.parts.path or "/", headers={"xkey-purge": header})
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            if response.status != 200:
                raise OSError(f"{self.url} answered {response.status} {response.reason} to a purge")


def targets():
    """The configured HTTP caches, each as an instance of ``FESTIVAL_PURGE_BACKEND``."""
    backend = import_string(settings.FESTIVAL_PURGE_BACKEND)
    return [backend(url) for url in settings.FESTIVAL_PURGE_URLS]


def send(keys):
    """Tell every configured HTTP cache that the pages carrying any of ``keys`` are stale."""
    for target in targets():
        try:
            target.purge(keys)
        except OSError as error:
            logger.warning("Could not purge %s from %r: %s", " ".join(keys), target, error)
