"""The readiness page of an edition (``/admin/films/edition/<id>/readiness/``): what is missing before it, or
one of its sections, goes public, with each count linked to the admin's list of those records.

Programmers see every section; a curator, their own. The rules of "ready" are ``films/readiness.py``'s.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from ..plan import EditionPlan
from ..readiness import edition_readiness, gap_kinds, site_languages
from ..roles import may_change_structure
from ..warnings import edition_warnings
from .common import curated_section_ids


def records_url(model, ids, lookup="id__in"):
    """The admin's list of exactly these records (or of those in these sections)."""
    return f"{reverse(f'admin:films_{model}_changelist')}?{urlencode({lookup: ','.join(map(str, ids))})}"


def readiness_view(model_admin, request, object_id):
    edition = model_admin.get_object(request, object_id)
    if (
        edition is None
        or not model_admin.has_view_permission(request, edition)
        or not may_change_structure(request.user, "film")
    ):
        raise PermissionDenied
    languages = site_languages()
    language = request.GET.get("language", "")
    chosen_languages = [language] if language in languages else languages
    allowed = curated_section_ids(request)  # None: every section.
    plan = EditionPlan.load(edition)  # Read once, for readiness and warnings.
    sections = edition_readiness(edition, allowed, chosen_languages, plan)
    section_key = request.GET.get("section", "")
    shown = [row for row in sections if row.section.key == section_key] or sections
    names = dict(settings.LANGUAGES)
    totals = []
    for key, label, model, code in gap_kinds(chosen_languages):
        gaps = [row.by_key[key] for row in shown]
        ids = sorted({pk for gap in gaps for pk in gap.ids})
        lookup = gaps[0].lookup if gaps else "id__in"
        totals.append(
            {
                "label": label,
                "language": names.get(code, ""),
                "code": code,
                "count": sum(gap.count for gap in gaps) if lookup != "id__in" else len(ids),
                "url": records_url(model, ids, lookup) if ids else "",
            }
        )
    shown_ids = {row.section.pk for row in shown}
    warnings = [
        {
            "message": warning.message,
            "screening": warning.key,
            "url": reverse("admin:films_screening_change", args=[warning.screening_id]) if warning.screening_id else "",
        }
        for warning in edition_warnings(edition, plan)
        if warning.section_id in shown_ids or (warning.screening_id is None and allowed is None)
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "warnings": warnings,
        "opts": model_admin.opts,
        "original": edition,
        "title": gettext("Readiness: %(edition)s") % {"edition": edition},
        "edition": edition,
        "languages": [(code, names[code]) for code in languages],
        "language": language if language in languages else "",
        "section_choices": sections,
        "section_key": section_key if len(shown) == 1 and shown[0].section.key == section_key else "",
        "totals": totals,
        "missing": sum(total["count"] for total in totals),
        "sections": [
            {
                "row": row,
                "gaps": [
                    {
                        "label": gap.label,
                        "language": names.get(gap.language, ""),
                        "code": gap.language,
                        "count": gap.count,
                        "url": records_url(gap.model, gap.ids, gap.lookup),
                    }
                    for gap in row.gaps
                    if gap.count
                ],
            }
            for row in shown
        ],
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/films/edition/readiness.html", context)
