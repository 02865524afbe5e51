"""The embeddable programme: a day's screenings with the programme's filters, for partners' sites to frame.

``/<lang>/<edition>/embed/programme/`` is the programme page without the site around it: the day tabs, the
filter form (GET, submitted to the embed itself) and the list of screenings, whose links lead to the festival
site in a new tab. Only the origins in ``EMBED_ALLOWED_ORIGINS`` may frame it; with none, no site may, as for
every other page. It sets no cookie, so the page cache keeps it like any public page.
"""

from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt

from ...access import filter_choices
from ...models import Film, Screening
from ...queries import day_text, default_day, prefetched, programme_day_queries, screening_rows, section_names
from ..rows import screening_items
from .common import public_page, published_edition
from .programme import (
    PROGRAMME_FILTERS,
    ProgrammeFilters,
    _country_options,
    _venue_options,
    clean_query,
    filter_options,
    filtered_screenings,
    requested_day,
)


def framed_by_partners(view):
    """Let the sites in ``EMBED_ALLOWED_ORIGINS`` show the view's pages in a frame.

    The origins replace the site's CSP ``frame-ancestors 'none'`` (django-csp's ``csp_replace``), and
    X-Frame-Options is left out (``xframe_options_exempt``): its DENY would block every partner in browsers that
    do not read frame-ancestors, and those that do ignore it anyway. With no origin configured the pages keep
    ``frame-ancestors 'none'`` and DENY, as every other page. The setting is read per request.
    """

    @wraps(view)
    def framed(request, *args, **kwargs):
        origins = list(settings.EMBED_ALLOWED_ORIGINS)
        if not origins:
            return view(request, *args, **kwargs)
        allowed = csp_replace({"frame-ancestors": origins})(xframe_options_exempt(view))
        return allowed(request, *args, **kwargs)

    return framed


@framed_by_partners
@public_page
def embed_programme(request, edition):
    edition = published_edition(edition)
    # As the programme page: what it reads depends only on the edition and the day, one round trip on PostgreSQL.
    calls = [(_venue_options, edition.pk), (_country_options, edition.pk)]
    if not any(request.GET.get(name) for name in PROGRAMME_FILTERS):
        calls += programme_day_queries(edition, requested_day(request, edition))
    with prefetched(*calls):
        return embed_programme_page(request, edition)


def embed_programme_page(request, edition):
    sections = section_names(edition)
    venues, subtitles, countries = filter_options(edition)
    filters = ProgrammeFilters(
        request.GET,
        edition=edition,
        sections=sections.values(),
        venues=venues,
        subtitles=subtitles,
        countries=countries,
    )
    chosen = filters.valid()
    # Always a list: a grid does not fit a partner's column.
    chosen.pop("view", None)
    day = chosen.get("day") or default_day(edition)
    rows = screening_rows(filtered_screenings(edition, day, chosen), edition, sections, day=day)
    kept = {name: value for name, value in clean_query(request, filters.fields).items() if name in chosen}
    language = translation.get_language()
    days = [
        {
            "label": day_text(language, "D j M", each),
            "url": f"{request.path}?{urlencode({**kept, 'day': each.isoformat()})}",
            "current": each == day,
        }
        for each in edition.days()
    ]
    programme_url = reverse("programme", args=[edition.key])
    origin = f"{request.scheme}://{request.get_host()}"
    context = {
        "edition": edition,
        "values": {name: str(value) for name, value in chosen.items()},
        "section_options": [(item["key"], item["name"].text) for item in sections.values()],
        "venue_options": [(item["key"], item["name"]) for item in venues],
        "subtitle_options": subtitles,
        "country_options": countries,
        "audience_options": Screening.Audience.choices,
        "access_options": filter_choices(),
        "form_options": Film.Form.choices,
        "day_iso": day.isoformat(),
        "day_label": date_format(day, "DATE_FORMAT"),
        "days": days,
        "rows": rows,
        # The site's links made absolute, each opening the festival site in a new tab.
        "rows_html": screening_items(rows, edition.key, origin=origin, new_tab=True),
        # The programme page is the one search engines should know (the embed says noindex).
        "canonical": f"{programme_url}?{urlencode({'day': day.isoformat()})}",
        "full_programme_url": f"{origin}{programme_url}?{urlencode({**kept, 'day': day.isoformat()})}",
        "site": request.get_host(),
    }
    return render(request, "films/embed_programme.html", context)
