"""What an edition still lacks before it goes public, section by section: the rules of "ready", in one place.

Each gap is a count of records and the records themselves, so that the readiness page
(``films/admin/readiness.py``) can link each count to the admin's list of exactly those records:

- films without a title, a synopsis or a tagline in a language (text checked per site language);
- films without an image, or without a director credit;
- selections without a premiere status;
- screenings without subtitles listed, without a ticket link (online screenings excepted), or unpublished;
- awards without a jury (the jury sits on the award's section).

Everything is read at once whatever the size of the edition (``films/plan.py``, which the planning warnings
read too).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .models import Screening, Section
from .plan import EditionPlan

TEXTS = {
    "title": _("Films without a title"),
    "synopsis": _("Films without a synopsis"),
    "tagline": _("Films without a tagline"),
}


@dataclass
class Gap:
    """One kind of missing thing in one section: which records (their admin list is ``model``'s)."""

    key: str  # "synopsis-uk", "image", "premiere", ...
    label: str
    model: str  # The admin list the records are fixed in: "film", "selection", "screening", "award".
    ids: list = field(default_factory=list)
    language: str = ""
    lookup: str = "id__in"  # How the admin list finds them by ``ids``.
    awards: int = 0  # For the jury gap: the awards of the sections in ``ids``.

    @property
    def count(self):
        return self.awards if self.lookup == "section__in" else len(self.ids)


@dataclass
class SectionReadiness:
    section: Section
    films: int = 0
    screenings: int = 0
    gaps: list = field(default_factory=list)

    @property
    def missing(self):
        return sum(gap.count for gap in self.gaps)


def site_languages():
    return [code for code, _name in settings.LANGUAGES]


def gap_kinds(languages):
    """Every kind of gap, in the order the page lists them."""
    kinds = []
    for name, label in TEXTS.items():
        for code in languages:
            kinds.append((f"{name}-{code}", label, "film", code))
    kinds += [
        ("image", _("Films without an image"), "film", ""),
        ("director", _("Films without a director credit"), "film", ""),
        ("premiere", _("Selections without a premiere status"), "selection", ""),
        ("subtitles", _("Screenings without subtitles listed"), "screening", ""),
        ("ticket", _("Screenings without a ticket link"), "screening", ""),
        ("unpublished", _("Screenings still unpublished"), "screening", ""),
        ("jury", _("Awards without a jury"), "award", ""),
    ]
    return kinds


def missing_text(value):
    return value is None or not str(value).strip()


def edition_readiness(edition, section_ids=None, languages=None, plan=None):
    """``[SectionReadiness, ...]`` for the edition's sections (those in ``section_ids`` when given), each with
    one ``Gap`` of every kind, empty or not; text gaps for ``languages`` (default: every site language).
    ``plan``: the edition read already (``EditionPlan``), else read here."""
    languages = languages or site_languages()
    plan = plan or EditionPlan.load(edition)
    report = {}
    for section in plan.sections.values():
        if section_ids is not None and section.pk not in section_ids:
            continue
        row = SectionReadiness(section)
        row.gaps = [Gap(key, label, model, language=code) for key, label, model, code in gap_kinds(languages)]
        row.gaps[-1].lookup = "section__in"  # Awards without a jury: those of a section without one.
        row.by_key = {gap.key: gap for gap in row.gaps}
        report[section.pk] = row
    if not report:
        return []

    for selection in plan.selections:
        row = report.get(selection.section_id)
        if row is None:
            continue
        row.films += 1
        film = selection.film
        for name in TEXTS:
            for code in languages:
                if missing_text(getattr(film, build_localized_fieldname(name, code))):
                    row.by_key[f"{name}-{code}"].ids.append(film.pk)
        if not selection.has_image:
            row.by_key["image"].ids.append(film.pk)
        if not selection.has_director:
            row.by_key["director"].ids.append(film.pk)
        if not selection.premiere:
            row.by_key["premiere"].ids.append(selection.pk)

    for screening in plan.scheduled():
        row = report.get(screening.section_id)
        if row is None:
            continue
        row.screenings += 1
        if not screening.subtitles:
            row.by_key["subtitles"].ids.append(screening.pk)
        if not screening.ticket_url and screening.audience != Screening.Audience.ONLINE:
            row.by_key["ticket"].ids.append(screening.pk)
        if not screening.published:
            row.by_key["unpublished"].ids.append(screening.pk)

    for section_pk, row in report.items():
        section = plan.sections[section_pk]
        if section.award_count and not section.jurors:
            row.by_key["jury"].ids.append(section_pk)  # Its awards: listed by section.
            row.by_key["jury"].awards = section.award_count
    return list(report.values())
