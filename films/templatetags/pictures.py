"""``{% picture image sizes %}``: a ``<picture>`` in a Django template, written by the Jinja2 macro the programme's
rows use (``templates/jinja2/films/picture.html``), so that its markup lives in one place."""

from django import template

from ..views import rows

register = template.Library()


@register.simple_tag
def picture(image, sizes, loading="lazy", class_="", fetchpriority=""):
    """``{% picture lead.picture lead_sizes "eager" "film__lead-picture" "high" %}``: ``image`` is
    ``films.images.picture_data``'s dict (or None: a placeholder with ``class_``, else nothing)."""
    return rows.picture(image, sizes, loading, class_, fetchpriority)
