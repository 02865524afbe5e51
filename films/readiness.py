"""What an edition still lacks before it goes public, section by section: the rules of "ready", in one place.

Each gap is a count of records and the records themselves, so that the readiness page
(``films/admin/readiness.py``) can link each count to the admin's list of exactly those records:

- films without a title, a synopsis or a tagline in a language (text checked per site language);
- films without an image, or without a director credit;
- selections without a premiere status;
- screenings without subtitles listed, without a ticket link (online screenings excepted), or unpublished;
- awards without a jury (the jury sits on the award's section).

Everything is read in four queries whatever the size of the edition: its sections, their selections with
each film's texts and two "has it" subqueries, their screenings, their awards with the size of their jury.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .models import Award, Credit, FilmImage, Screening, Section, Selection
from .models.people import CreditRole

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

    @property
    def count(self):
        return len(self.ids)


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


def edition_readiness(edition, section_ids=None, languages=None):
    """``[SectionReadiness, ...]`` for the edition's sections (those in ``section_ids`` when given), each with
    one ``Gap`` of every kind, empty or not; text gaps for ``languages`` (default: every site language)."""
    languages = languages or site_languages()
    sections = Section.objects.filter(edition=edition).order_by("order", "key")
    if section_ids is not None:
        sections = sections.filter(pk__in=section_ids)
    report = {}
    for section in sections:
        row = SectionReadiness(section)
        row.gaps = [Gap(key, label, model, language=code) for key, label, model, code in gap_kinds(languages)]
        row.by_key = {gap.key: gap for gap in row.gaps}
        report[section.pk] = row
    if not report:
        return []

    text_columns = [build_localized_fieldname(name, code) for name in TEXTS for code in languages]
    selections = (
        Selection.objects.filter(section__in=list(report))
        .annotate(
            has_image=Exists(FilmImage.objects.filter(film=OuterRef("film_id"))),
            has_director=Exists(Credit.objects.filter(film=OuterRef("film_id"), role=CreditRole.DIRECTOR)),
        )
        .values(
            "pk",
            "section_id",
            "film_id",
            "premiere",
            "has_image",
            "has_director",
            *(f"film__{c}" for c in text_columns),
        )
        .order_by("order", "pk")
    )
    for selection in selections:
        row = report[selection["section_id"]]
        row.films += 1
        film = selection["film_id"]
        for name in TEXTS:
            for code in languages:
                if missing_text(selection[f"film__{build_localized_fieldname(name, code)}"]):
                    row.by_key[f"{name}-{code}"].ids.append(film)
        if not selection["has_image"]:
            row.by_key["image"].ids.append(film)
        if not selection["has_director"]:
            row.by_key["director"].ids.append(film)
        if not selection["premiere"]:
            row.by_key["premiere"].ids.append(selection["pk"])

    screenings = (
        Screening.objects.filter(edition=edition, section__in=list(report))
        .values("pk", "section_id", "subtitles", "ticket_url", "published", "audience")
        .order_by("starts_at", "pk")
    )
    for screening in screenings:
        row = report[screening["section_id"]]
        row.screenings += 1
        if not screening["subtitles"]:
            row.by_key["subtitles"].ids.append(screening["pk"])
        if not screening["ticket_url"] and screening["audience"] != Screening.Audience.ONLINE:
            row.by_key["ticket"].ids.append(screening["pk"])
        if not screening["published"]:
            row.by_key["unpublished"].ids.append(screening["pk"])

    awards = (
        Award.objects.filter(edition=edition, section__in=list(report))
        .annotate(jurors=Count("section__jury"))
        .values("pk", "section_id", "jurors")
        .order_by("order", "pk")
    )
    for award in awards:
        if not award["jurors"]:
            report[award["section_id"]].by_key["jury"].ids.append(award["pk"])
    return list(report.values())
