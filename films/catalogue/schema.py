"""Stage one of an import: the JSON Schema of the format (``schema.json``), with the site's languages filled in."""

import copy
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from .errors import path_string

SCHEMA_PATH = Path(__file__).with_name("schema.json")
TRANSLATED_TITLE = "translated text"
JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


@cache
def _schema(languages):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    translated = schema["$defs"]["translated"]
    # An empty string is allowed: it clears that one language (a language left out keeps its text).
    translated["properties"] = {code: {"type": "string"} for code in languages}
    Draft202012Validator.check_schema(schema)
    return schema


def _inline(node, definitions):
    """The schema with every ``{"$ref": "#/$defs/x"}`` replaced by the definition (the format has no recursion).

    Resolving references is most of jsonschema's time; a 450-film catalogue validates in a fraction of it inlined.
    """
    if isinstance(node, dict):
        if set(node) == {"$ref"} and node["$ref"].startswith("#/$defs/"):
            return _inline(definitions[node["$ref"].removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline(value, definitions) for value in node]
    return node


@cache
def _inlined(languages):
    schema = _schema(languages)
    return _inline(schema, schema["$defs"])


def catalogue_schema():
    """The schema as a dict, translated text restricted to the languages in ``settings.LANGUAGES``."""
    return copy.deepcopy(_schema(tuple(code for code, _name in settings.LANGUAGES)))


@cache
def _compiled(languages):
    """One validator per set of languages, built once: no format checker (the format's formats are patterns)."""
    return Draft202012Validator(_inlined(languages))


def _validator():
    return _compiled(tuple(code for code, _name in settings.LANGUAGES))


def _sort_key(error):
    return [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in error.absolute_path]


def _describe(value):
    return JSON_TYPES.get(type(value), "null" if value is None else type(value).__name__)


def _message(error):
    """One error as ``path: message``, worded for a person fixing the file."""
    parts = list(error.absolute_path)
    field = next((part for part in reversed(parts) if isinstance(part, str)), "")
    validator = error.validator
    if validator == "additionalProperties":
        extra = [name for name in error.instance if name not in error.schema.get("properties", {})]
        if error.schema.get("title") == TRANSLATED_TITLE:
            return [
                f"{path_string(parts)}: " + _('language "%(code)s" is not published by this site') % {"code": name}
                for name in extra
            ]
        return [f"{path_string([*parts, name])}: " + _("unknown field") for name in extra]
    if validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [f"{path_string([*parts, name])}: " + _("required field is missing") for name in missing]
    if validator == "enum":
        text = _('unknown %(field)s "%(value)s"') % {"field": field.replace("_", " "), "value": error.instance}
    elif validator == "const":
        text = _("must be %(expected)s, not %(value)s") % {
            "expected": json.dumps(error.validator_value),
            "value": json.dumps(error.instance, ensure_ascii=False),
        }
    elif validator == "type":
        text = _("expected %(expected)s, got %(got)s") % {
            "expected": error.validator_value,
            "got": _describe(error.instance),
        }
    elif validator == "pattern":
        hints = {
            "^[a-z0-9]+(-[a-z0-9]+)*$": _("a key is lower-case letters, digits and single hyphens"),
            "^[A-Z]{2}$": _("a country is a two-letter ISO 3166-1 code such as UA"),
            "^[a-z]{2}$": _("a language is a two-letter ISO 639-1 code such as uk"),
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": _("a date is written YYYY-MM-DD"),
        }
        hint = hints.get(
            error.validator_value, _("a moment is ISO 8601 with a UTC offset, e.g. 2023-11-12T19:15:00+01:00")
        )
        text = _('"%(value)s" is not valid: %(hint)s') % {"value": error.instance, "hint": hint}
    elif validator == "minLength" and error.validator_value == 1:
        text = _("must not be empty")
    elif validator == "minItems":
        text = _("needs at least %(count)s item(s)") % {"count": error.validator_value}
    elif validator in {"minimum", "maximum"}:
        text = _("%(value)s is out of range (%(bound)s %(limit)s)") % {
            "value": error.instance,
            "bound": "≥" if validator == "minimum" else "≤",
            "limit": error.validator_value,
        }
    else:
        text = error.message
    return [f"{path_string(parts) or '(document)'}: {text}"]


def schema_errors(document):
    """Every way ``document`` breaks the schema, as ``path: message`` strings in document order."""
    messages = []
    for error in sorted(_validator().iter_errors(document), key=_sort_key):
        messages.extend(_message(error))
    return messages
