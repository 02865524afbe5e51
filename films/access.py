"""Access and guests of a screening, as the public side shows them: markers, the programme's filter, guest lines.

A screening carries four markers of its own (``Screening.audio_description``, ``captions``, ``sign_language``,
``relaxed``); step-free access and wheelchair spaces come from its screen's own record. Guests
(``ScreeningGuest``) attend for an introduction, a Q&A or both. The codes here (``audio-description`` ...) are
the ones the programme's ``access`` filter, the JSON API and the catalogue format use.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext, gettext_lazy, ngettext

from .models import ScreeningGuest

# (code, Screening field) of the screening's own markers, in the order they are shown.
SCREENING_MARKERS = (
    ("audio-description", "audio_description"),
    ("captions", "captions"),
    ("sign-language", "sign_language"),
    ("relaxed", "relaxed"),
)
MARKER_CODES = tuple(code for code, _field in SCREENING_MARKERS)
STEP_FREE = "step-free"
# What the programme can be filtered by: the screening's markers, then the screen's step-free access.
FILTER_CODES = (*MARKER_CODES, STEP_FREE)


# The labels of the markers and of step-free access, translated when shown.
LABELS = {
    "audio-description": gettext_lazy("Audio description"),
    "captions": gettext_lazy("Captions for the deaf and hard of hearing"),
    "sign-language": gettext_lazy("Sign-language interpretation"),
    "relaxed": gettext_lazy("Relaxed screening"),
    STEP_FREE: gettext_lazy("Step-free access"),
}


def marker_labels():
    """``{code: label}`` of every marker and of step-free access, in the active language."""
    return {code: str(label) for code, label in LABELS.items()}


def filter_choices():
    """The ``access`` filter's choices: ``(code, label)``, labels translated when shown."""
    return [(code, LABELS[code]) for code in FILTER_CODES]


def wheelchair_text(count):
    return ngettext("%(count)s wheelchair space", "%(count)s wheelchair spaces", count) % {"count": count}


def marker_codes(flags, step_free=False):
    """The codes of a screening's markers from its four flags (in ``SCREENING_MARKERS``' order), then step-free."""
    codes = [code for code, flag in zip(MARKER_CODES, flags, strict=True) if flag]
    if step_free:
        codes.append(STEP_FREE)
    return codes


def screening_marker_codes(screening):
    """The codes of a ``Screening`` instance's own markers (step-free access not included)."""
    return [code for code, field in SCREENING_MARKERS if getattr(screening, field)]


def with_access(queryset, code):
    """Screenings of ``queryset`` with the marker ``code``, or in a step-free screen for ``step-free``; an unknown
    code leaves it as it is (the filter form has refused it)."""
    if code == STEP_FREE:
        return queryset.filter(screen__step_free=True)
    fields = dict(SCREENING_MARKERS)
    if code in fields:
        return queryset.filter(**{fields[code]: True})
    return queryset


def guests_prefetch():
    """A screening's guests in order, with the people they are, as ``guests_in_order``: one query for them all."""
    return Prefetch(
        "guests",
        queryset=ScreeningGuest.objects.select_related("person").order_by("order", "id"),
        to_attr="guests_in_order",
    )


def guest_kind(intro, qa):
    return "both" if intro and qa else "qa" if qa else "intro"


def guest_message(kind):
    """The line naming guests of one kind, with ``%(names)s`` for their names, in the active language."""
    if kind == "both":
        return gettext("Introduction and Q&A with %(names)s")
    if kind == "qa":
        return gettext("Q&A with %(names)s")
    return gettext("Introduction by %(names)s")


def guest_groups(guests):
    """``[(kind, [guest, ...]), ...]``: guests (dicts or objects with ``intro`` and ``qa``) grouped by what they
    attend for, each group where its first guest comes."""
    groups = {}
    for guest in guests:
        intro, qa = (guest["intro"], guest["qa"]) if isinstance(guest, dict) else (guest.intro, guest.qa)
        groups.setdefault(guest_kind(intro, qa), []).append(guest)
    return list(groups.items())


def guest_lines(guests):
    """Plain-text lines, one per kind of attendance: "Q&A with Alisa Kovalenko", "Introduction by …"."""
    lines = []
    for kind, group in guest_groups(guests):
        names = ", ".join(guest["name"] if isinstance(guest, dict) else guest.person.name for guest in group)
        lines.append(guest_message(kind) % {"names": names})
    return lines


def access_codes(screening):
    """The codes of a ``Screening`` instance's markers, its screen's step-free access included (as rows have them)."""
    codes = screening_marker_codes(screening)
    if screening.screen is not None and screening.screen.step_free:
        codes.append(STEP_FREE)
    return codes


def access_texts(codes, wheelchair_spaces=0):
    """The markers as plain text in the active language, wheelchair spaces last: for calendars."""
    labels = marker_labels()
    texts = [labels[code] for code in codes]
    if wheelchair_spaces:
        texts.append(wheelchair_text(wheelchair_spaces))
    return texts
