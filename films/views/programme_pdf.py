"""The printed programme as a PDF: ``/<lang>/<edition>/programme.pdf?day=...&section=...`` (``films.programme_pdf``)."""

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ..cache import ALL, kept, key
from ..models import Edition
from ..programme_pdf import PDF_FILTERS, pdf_filename, programme_html, render_pdf
from ..queries import section_names
from .calendar import bad_request
from .pages import ProgrammeFilters, public_page

# Part of the name booklets are kept under (``films.cache.kept``): bump it when the code changes what they print.
PDF_FORMAT = 1


def pdf_filters(request, edition):
    """``(chosen, problems)``: the cleaned ``day`` and ``section`` of the query string, and what is wrong with them.

    The programme page's own form checks them: a day the edition does not run on, a section it does not have
    (or has not published) is a problem named with its value, as the calendar export names it.
    """
    filters = ProgrammeFilters(
        {name: request.GET[name] for name in PDF_FILTERS if request.GET.get(name)},
        edition=edition,
        sections=section_names(edition).values(),
        venues=[],
        subtitles=[],
        countries=[],
    )
    if not filters.is_valid():
        problems = [
            f"{name}={request.GET.get(name, '')[:100]}: {' '.join(errors)}" for name, errors in filters.errors.items()
        ]
        return {}, problems
    return {name: filters.cleaned_data[name] for name in PDF_FILTERS if filters.cleaned_data.get(name)}, []


def canonical_query(chosen):
    """The query string of the booklet's one address: ``day``, then ``section``, nothing else."""
    parts = []
    if chosen.get("day"):
        parts.append(f"day={chosen['day'].isoformat()}")
    if chosen.get("section"):
        parts.append(f"section={chosen['section']}")  # a key: [a-z0-9-], nothing to quote
    return "&".join(parts)


@public_page
def programme_pdf(request, edition):
    """The A5 booklet of the day, the section or (with neither) the whole edition; cached as any public page.

    A booklet takes WeasyPrint about a second a day of a large edition, and the page cache keys pages by their
    full address: any other spelling of the query string (other parameters, another order) is redirected to the
    one address, so that it cannot make the booklet render again.
    """
    edition = get_object_or_404(Edition.objects.published().select_related("festival"), key=edition)
    chosen, problems = pdf_filters(request, edition)
    if problems:
        return bad_request(_("The programme cannot be printed: %(problems)s") % {"problems": "; ".join(problems)})
    query = canonical_query(chosen)
    if request.META.get("QUERY_STRING", "") != query:
        return HttpResponsePermanentRedirect(f"{request.path}?{query}" if query else request.path)
    body = kept(
        f"programme.pdf|{PDF_FORMAT}|{request.build_absolute_uri()}",
        (ALL, key("edition", edition.key)),
        lambda: render_pdf(programme_html(edition, chosen)),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(edition, chosen)}"'
    return response
