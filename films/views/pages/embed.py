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
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt

from ..rows import screening_items
from .common import public_page, published_edition
from .programme import programme_context


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
    # Always a list: a grid does not fit a partner's column.
    context = programme_context(request, edition, views=("list",))
    rows, kept, day = context["rows"], context["kept"], context["day"]
    programme_url = reverse("programme", args=[edition.key])
    origin = f"{request.scheme}://{request.get_host()}"
    context.update(
        {
            # The site's links made absolute, each opening the festival site in a new tab.
            "rows_html": screening_items(rows, edition.key, origin=origin, new_tab=True),
            # The programme page is the one search engines should know (the embed says noindex).
            "canonical": f"{programme_url}?{urlencode({'day': day.isoformat()})}",
            "full_programme_url": f"{origin}{programme_url}?{urlencode({**kept, 'day': day.isoformat()})}",
            "site": request.get_host(),
        }
    )
    return render(request, "films/embed_programme.html", context)
