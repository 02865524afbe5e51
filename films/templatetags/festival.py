"""Template tags for the public pages: translated text with its real language, alternates, navigation."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language_info

from ..public import alternate_urls, current_language, film_title, translated
from ..views import rows

register = template.Library()


@register.simple_tag
def tr(source, field):
    """A translated field of an instance or ``values()`` row, wrapped in ``<span lang>`` when it is a fallback.

    ``{% tr film "synopsis" as synopsis %}`` gives a ``Text`` with ``.text``, ``.lang`` and ``.fallback``
    for block content; ``{% tr section "name" %}`` prints inline markup.
    """
    return translated(source, field)


@register.simple_tag
def title(source, prefix=""):
    """A film's display title with its real language (see ``films.public.film_title``)."""
    return film_title(source, prefix=prefix)


@register.simple_tag(takes_context=True)
def page_languages(context):
    """The language switcher's entries and the alternate links: this page in every site language.

    A view may put ``alternates`` (``{code: url}``) in the context; otherwise they are
    reversed from the request's resolved view, query string kept.
    """
    request = context.get("request")
    alternates = context.get("alternates") or (alternate_urls(request) if request else {})
    active = current_language()
    entries = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        url = alternates.get(code)
        entries.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url) if request and url else url,
                "current": code == active,
                "default": code == settings.LANGUAGE_CODE,
            }
        )
    return entries


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The absolute URL of this page: the view's ``canonical`` path if given, else the current path and query."""
    request = context.get("request")
    if request is None:
        return ""
    return request.build_absolute_uri(context.get("canonical") or request.get_full_path())


@register.simple_tag
def optional_url(name, *args, **kwargs):
    """``reverse`` that gives ``""`` when the URL name does not exist (yet)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def site_edition(context):
    """The edition the header and navigation name: the page's ``nav_edition``, else the current one."""
    if "nav_edition" in context:
        return context["nav_edition"]
    from ..queries import current_edition

    return current_edition()


@register.simple_tag
def options(choices, selected=""):
    """``<option>`` elements for ``(value, label)`` pairs, ``selected`` marked (``options.html``, a Jinja2 loop)."""
    return rows.render("options.html", {"choices": choices, "selected": str(selected or "")})


@register.filter
def screening_notes(row):
    """``{{ row|screening_notes }}``: a screening row's access markers and guest lines, as the programme shows them
    (``films.views.rows``: one definition of that markup)."""
    return rows.screening_notes(row)


@register.simple_tag
def personal_toggle(screening_key, edition_key):
    """``{% personal_toggle row.key edition.key %}``: the "Add to my programme" button of one screening."""
    return rows.personal_toggle(screening_key, edition_key)
