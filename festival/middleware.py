"""A database outage answers 503 (try again shortly), not a 500 with a stack trace.

``DatabaseUnavailableMiddleware`` turns an ``OperationalError`` or ``InterfaceError`` raised by a view
into ``templates/503.html`` with status 503 and ``Retry-After``; ``festival.views.server_error`` (the
``handler500``) does the same for one raised elsewhere (a middleware, the session save). The admin is
checked before its view runs, since its login form reads nothing from the database. Nothing
is kept broken: with ``CONN_HEALTH_CHECKS`` Django drops a dead persistent connection before the
next request uses it, so the site recovers by itself once the database is back.
"""

import logging

from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, QueryDict
from django.template import loader

logger = logging.getLogger("festival.database")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
ADMIN_PREFIX = "/admin/"


def database_unavailable_response():
    """The standalone 503 page: rendered without a request, so no context processor touches the database."""
    response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def handle_database_error(error):
    # Django closes a connection that had an error and is unusable when the request finishes.
    logger.error("Database unavailable: %s", error.__class__.__name__, exc_info=error)
    return database_unavailable_response()


class StripNulBytesMiddleware:
    """Remove NUL bytes from query-string keys and values before any view sees them.

    No page needs one, and PostgreSQL text cannot hold one: a NUL reaching a query would be a server error.
    Views then treat what is left like any other garbage (ignored, 400 or 404).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """503 for a database error raised by a view, and for any admin page while the database cannot be reached.

    The admin's login form reads nothing from the database: unchecked, it would show during an outage and only
    the login fail. Opening a cursor connects, or checks the persistent connection (``CONN_HEALTH_CHECKS``: once
    a request, so the admin view's first query does not check it again). Public pages are not checked: one
    the page cache holds is served without the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX):
            try:
                connection.cursor().close()
            except DATABASE_ERRORS as error:
                return handle_database_error(error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return handle_database_error(exception)
        return None
