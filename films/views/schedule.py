"""The frab / c3voc conference schedule of an edition: ``/api/v1/<edition>/schedule.xml`` and ``schedule.json``.

The format is ``films/schedule.py``; here only the edition and the language are looked up. ``?lang=`` picks one of
the site's languages (English by default); another value is a 400 in plain text, an edition that is not published
a 404. Like every ``/api/v1/`` document the answers are kept in the whole-page cache (``films/cache.py``), keyed by
the publication version and the full path with its query string, and answer ``If-None-Match`` with 304.
"""

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.utils.translation import gettext as _

from ..models import Edition
from ..schedule import UnknownLanguage, schedule_json, schedule_language, schedule_xml
from .pages.common import public_page

PLAIN_TEXT = "text/plain; charset=utf-8"


def _find(request, edition):
    """``(edition, language)``, or the response that refuses the request."""
    try:
        language = schedule_language(request.GET.get("lang"))
    except UnknownLanguage as error:
        return None, HttpResponseBadRequest(str(error), content_type=PLAIN_TEXT)
    found = Edition.objects.filter(published=True, key=edition).first()
    if found is None:
        message = _("There is no published edition “%(edition)s”.") % {"edition": edition}
        return None, HttpResponseNotFound(message, content_type=PLAIN_TEXT)
    return (found, language), None


def _shared(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public_page
def schedule_xml_view(request, edition):
    found, refused = _find(request, edition)
    if refused is not None:
        return refused
    return _shared(HttpResponse(schedule_xml(request, *found), content_type="application/xml; charset=utf-8"))


@public_page
def schedule_json_view(request, edition):
    found, refused = _find(request, edition)
    if refused is not None:
        return refused
    return _shared(HttpResponse(schedule_json(request, *found), content_type="application/json"))
