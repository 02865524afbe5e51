"""Project-level views: the error handler, the health check and the favicon's old address."""

import sys

from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from .middleware import DATABASE_ERRORS, handle_database_error


@requires_csrf_token
def server_error(request):
    """``handler500``: 503 for a database outage, else the standalone 500 page (no database access)."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return handle_database_error(error)
    return HttpResponseServerError(loader.get_template("500.html").render({}))


@never_cache
def healthz(request):
    """``/healthz``: the app server answers; touches neither the database nor the cache."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers and crawlers ask for without reading the page: the site's icon."""
    return HttpResponsePermanentRedirect(static("films/favicon.svg"))
