"""``/identity.css``: the festival's brand colour, typeface and sections' colours (``films.identity``)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..cache import key, shows
from ..identity import identity


@require_safe
def identity_css(request):
    """The stylesheet the admin's identity settings make. Every value in it comes from a field whose validator
    holds it to a safe form (colours ``#rrggbb``, keys of letters, digits and hyphens, a media URL of our own)."""
    values = identity()
    shows(request, *(key("edition", edition_key) for edition_key in values["editions"]))
    return render(request, "films/identity.css", values, content_type="text/css; charset=utf-8")
