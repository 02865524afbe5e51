"""``{% film_jsonld film %}``: a film page's schema.org JSON-LD, and the ``ld_json`` filter for any dict."""

from django import template

from ..models import Screening
from ..structured_data import film_jsonld as build_film_jsonld
from ..structured_data import ld_json as ld_json_text
from ..structured_data import ld_json_script

register = template.Library()


@register.simple_tag(takes_context=True)
def film_jsonld(context, film):
    """``<script type="application/ld+json">`` describing ``film`` and its published screenings.

    Five queries whatever the number of screenings: screenings (with edition, screen and venue), their films,
    directors, further titles, poster.
    """
    screenings = Screening.objects.for_export().filter(screening_films__film=film).order_by("starts_at", "key")
    return ld_json_script(build_film_jsonld(film, screenings, context["request"]))


@register.filter
def ld_json(data):
    """``{{ data|ld_json }}`` inside ``<script type="application/ld+json">``: JSON with ``<``, ``>``, ``&`` escaped."""
    return ld_json_text(data)
