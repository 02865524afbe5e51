"""What an import changes in existing records, field by field; the one place the admin preview and
``manage.py import_catalogue --dry-run`` take it from.

Each change is a ``FieldChange``: the record (kind and key, as in the report's counts), the field (named as in
the format: ``synopsis``, ``picture.format``, ``credits``), the language of a translated field, the old value and
the new one. A list the file replaces (credits, selections, winners ...) is one change whose values are lists of
readable items. A change that empties a value or makes it shorter (text, or a list with fewer items) is flagged
``clears`` or ``shortens``. New records are only counted (see ``ImportReport.counts``).

The changes, the new records and the matched spellings together are the import's plan; ``plan_fingerprint``
hashes it, so a confirmation can check that it applies exactly what was previewed.
"""

import dataclasses
import datetime
import hashlib
import json
from collections import Counter
from functools import cache

from django.db.models import CharField, TextField, URLField
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from modeltranslation.translator import NotRegistered, translator

from .values import FORMAT_FIELD_NAMES

CLEARS = "clears"
SHORTENS = "shortens"
# In the command's listing a value longer than this is cut (the admin shows it whole).
TEXT_PREVIEW_CHARS = 70


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """One field of an existing record the import changes (or, on a dry run, would change)."""

    kind: str
    key: str
    field: str
    language: str
    old: object
    new: object
    # Free text (a synopsis, a name, a note), as opposed to a code or a choice, which cannot be "shortened".
    text: bool = dataclasses.field(default=False, compare=False)

    @property
    def is_list(self):
        return isinstance(self.old, list) or isinstance(self.new, list)

    @property
    def flag(self):
        """``clears`` when a value is emptied, ``shortens`` when free text gets shorter or a list loses items."""
        if is_empty(self.old):
            return ""
        if is_empty(self.new):
            return CLEARS
        if (self.is_list or (self.text and isinstance(self.new, str))) and len(self.new) < len(self.old):
            return SHORTENS
        return ""

    @property
    def flag_label(self):
        return {CLEARS: pgettext("import change", "clears"), SHORTENS: pgettext("import change", "shortens")}.get(
            self.flag, ""
        )

    @property
    def removed(self):
        """Items of a list that the new list no longer has (repeated items counted)."""
        return list((Counter(self.old or []) - Counter(self.new or [])).elements()) if self.is_list else []

    @property
    def added(self):
        return list((Counter(self.new or []) - Counter(self.old or [])).elements()) if self.is_list else []

    @property
    def reordered(self):
        """Whether the items both lists have come in another order."""
        if not self.is_list:
            return False
        old, new = self.old or [], self.new or []
        return [item for item in old if item in new] != [item for item in new if item in old]

    @property
    def record(self):
        return f"{self.kind} {self.key}"

    def as_data(self):
        return [self.kind, self.key, self.field, self.language, self.old, self.new]


def is_empty(value):
    """Whether a change's value is nothing: ``display`` gives None for an empty text, lists stay lists."""
    return value is None or value == []


def display(value, tz=None):
    """A model value as the preview shows it (and the fingerprint hashes it): text, number, list of text or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(tz or datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, (bool, int, float, str)):
        return value
    # A related record (a festival, edition, section, venue or screen): by its key. (Files are not among the
    # values: a portrait's change is recorded by its name, images are a list.)
    return value.key


@cache
def _translated_fields(model):
    """``{"synopsis_uk": ("synopsis", "uk"), ...}`` for a model's translated fields."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    result = {}
    for base, fields in options.all_fields.items():
        for field in fields:
            result[field.name] = (base, field.language)
    return result


def field_changes(kind, key, instance, changes, *, tz=None):
    """``FieldChange``s for the ``(name, old, new)`` triples ``apply_values`` returned for ``instance``.

    An old related record is shown by its key: the importer loads the records it updates with their relations.
    """
    model = type(instance)
    translated = _translated_fields(model)
    names = FORMAT_FIELD_NAMES.get(model, {})
    return [
        FieldChange(
            kind,
            key,
            *translated.get(name, (names.get(name, name), "")),
            display(old, tz),
            display(new, tz),
            text=_is_free_text(model, name),
        )
        for name, old, new in changes
    ]


@cache
def _is_free_text(model, name):
    model_field = model._meta.get_field(name)
    return (
        isinstance(model_field, (CharField, TextField))
        and not model_field.choices
        and not isinstance(model_field, URLField)
    )


def list_change(kind, key, field, old, new):
    """A replaced child list as one change: ``old`` and ``new`` are lists of readable items."""
    return FieldChange(kind, key, field, "", [str(item) for item in old], [str(item) for item in new])


# ---------------------------------------------------------------------------------- the plan and its fingerprint


def documents_digest(documents):
    """A hash of the files' content (the values of the records an import creates are theirs)."""
    text = json.dumps(documents, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_fingerprint(report, digest=""):
    """A hash of what the import does: the files (``documents_digest``), the records it creates, every field change
    with the old and new value, and the spellings matched to existing records. The same files over the same
    database give the same fingerprint."""

    def canonical(value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

    plan = {
        "files": digest,
        "created": {kind: sorted(keys) for kind, keys in sorted(report.created.items()) if keys},
        "changes": sorted(canonical(change.as_data()) for change in report.changes),
        "aliases": sorted(canonical(match) for match in report.aliases_matched),
    }
    text = canonical(plan)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------- showing the changes


def grouped(changes):
    """``[(record, [change, ...]), ...]`` in the order the import met them: for the admin preview."""
    groups = {}
    for change in changes:
        groups.setdefault(change.record, []).append(change)
    return list(groups.items())


def _short(value):
    """One value of a change that is not a list (lists are shown item by item), for the command's listing."""
    if value is None:
        return _("(empty)")
    if isinstance(value, str):
        text = value.replace("\n", " ")
        if len(text) <= TEXT_PREVIEW_CHARS:
            return f"“{text}”"
        return f"“{text[: TEXT_PREVIEW_CHARS - 1]}…” " + _("(%(count)s characters)") % {"count": len(value)}
    return json.dumps(value)  # a number or a boolean (true, false), as in the file


def change_lines(changes):
    """The changes as text lines, a record's fields under its heading: the command's listing."""
    if not changes:
        return []
    flagged = sum(1 for change in changes if change.flag)
    lines = [
        _("Changes to existing records: %(count)s field(s), %(flagged)s of them clear or shorten what is there.")
        % {"count": len(changes), "flagged": flagged}
    ]
    for record, items in grouped(changes):
        lines.append(f"  {record}")
        for change in items:
            name = f"{change.field} [{change.language}]" if change.language else change.field
            mark = f"!! {change.flag_label.upper()}: " if change.flag else ""
            if change.is_list:
                lines.append(
                    f"    {mark}{name}: "
                    + _("%(old)s item(s) -> %(new)s item(s)")
                    % {"old": len(change.old or []), "new": len(change.new or [])}
                )
                lines.extend(f"      - {item}" for item in change.removed)
                lines.extend(f"      + {item}" for item in change.added)
                if change.reordered:
                    lines.append("      " + _("(in a new order)"))
            else:
                lines.append(f"    {mark}{name}: {_short(change.old)} -> {_short(change.new)}")
    return lines
