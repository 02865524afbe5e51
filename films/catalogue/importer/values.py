"""The objects of a file (``Item``) and the values they give model fields."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

from ...models import Film, Person, Screen, Screening
from ..errors import path_string

CODE_FIELDS = {"country", "language", "timezone"}
DEFAULT_CHANGEOVER_MINUTES = Screen._meta.get_field("changeover_minutes").default
# Rows per INSERT statement of a bulk insert (SQLite allows 32,766 parameters per statement).
BULK_BATCH_SIZE = 500

# Model field -> field name in the format, where they differ: for full_clean messages and the import's changes
# (``diff.field_changes``).
FORMAT_FIELD_NAMES = {
    Film: {"aspect_ratio": "picture.aspect_ratio", "picture_format": "picture.format", "colour": "picture.colour"},
    Person: {"born_year": "born.year", "born_place": "born.place", "photo_source_url": "photo"},
    Screening: {"online_countries": "countries"},
}


@cache
def excluded_fields(model):
    """Fields ``full_clean`` leaves to stage 2 and the database: relations, and ISO codes (checked in stage 2)."""
    return tuple(field.name for field in model._meta.fields if field.is_relation or field.name in CODE_FIELDS)


def languages():
    return [code for code, _name in settings.LANGUAGES]


def given_translations(name, text):
    """``{"en": "x", "uk": ""}`` -> ``{"name_en": "x", "name_uk": None}``: only the languages the file gives.

    A language the file leaves out is not in the result, so an existing record keeps its text in that
    language; an explicit empty string clears that one language. (A child row the import makes anew, such as
    an award's winner or a film image, takes ``merged_translations``.)
    """
    return {
        build_localized_fieldname(name, code): (text or {}).get(code) or None
        for code in languages()
        if code in (text or {})
    }


def merged_translations(text, old):
    """The texts of a child row (an award winner's citation, an image's caption) in every language, in the order of
    ``languages()``: the file's, else ``old`` (the matching stored row's, a tuple in that order, or None); an
    explicit empty string clears a language."""
    text = text or {}
    old = old or (None,) * len(languages())
    return tuple(
        (text[code] or None) if code in text else previous
        for code, previous in zip(languages(), old, strict=True)  # pragma: no mutate - old has one per language
    )


def given(data, names):
    """``{model_field: data[format_name]}`` for the ``(format_name, model_field)`` pairs the file gives."""
    return {field: data[name] for name, field in names if name in data}


def _norm(value):
    return None if value == "" else value


def apply_values(instance, values):
    """Set ``values`` on ``instance``; return ``(name, old, new)`` for each field whose value changed.

    ``old`` of a relation is the related record when it is loaded already, else its primary key.
    """
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            current, wanted = getattr(instance, field.attname), value.pk if value is not None else None
            old = field.get_cached_value(instance, None) if field.is_cached(instance) else current
        else:
            current, wanted = getattr(instance, name), value
            old = current
        # A record not saved (once an import has failed, nothing more is) is set too: its rows then know it.
        if _norm(current) != _norm(wanted) or (field.is_relation and value is not None and value.pk is None):
            setattr(instance, name, value)
            changed.append((name, old, value))
    return changed


@dataclass
class Item:
    """One object of a file, with where it is (for messages) and the directory image paths are relative to."""

    data: dict
    parts: tuple
    prefix: str = ""
    base_dir: Path | None = None

    def path(self, *more):
        return self.prefix + path_string((*self.parts, *more))

    def child(self, *more):
        value = self.data
        for part in more:
            value = value[part]
        return Item(value, (*self.parts, *more), self.prefix, self.base_dir)

    def children(self, name):
        return [self.child(name, index) for index in range(len(self.data.get(name) or []))]

    def get(self, name, default=None):
        return self.data.get(name, default)

    def __getitem__(self, name):
        return self.data[name]


def award_kind(data):
    """An award's ``recipient`` and ``ex_aequo``: as given, else as its winners show (a person named: a person award;
    more than one winner: ex aequo)."""
    winners = data.get("winners") or []
    return {
        "recipient": data.get("recipient", "person" if any("person" in winner for winner in winners) else "film"),
        "ex_aequo": data.get("ex_aequo", sum(1 for winner in winners if winner.get("kind", "winner") == "winner") > 1),
    }
