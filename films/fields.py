"""A model field for short ordered lists of ISO codes (countries, languages).

Stored as ``UA,FR,PL`` in one column, so it works the same on SQLite and
PostgreSQL and filters with ``countries__contains="UA"`` (two-letter codes
separated by commas cannot match across an item). In Python it is a list, in
forms a text box that takes ``UA, FR, PL``.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import codes

KINDS = {
    "country": (
        str.upper,
        codes.country_codes,
        _("ISO 3166-1 alpha-2 country codes, in order, e.g. UA, FR, PL."),
    ),
    "language": (
        str.lower,
        codes.language_codes,
        _("ISO 639-1 language codes, in order, e.g. uk, ru."),
    ),
}
_SEPARATORS = re.compile(r"[\s,;]+")


def split_codes(value, kind):
    """Return the list of normalised codes in ``value`` (a list or a string)."""
    normalise = KINDS[kind][0]
    if value is None:
        return []
    if isinstance(value, str):
        value = _SEPARATORS.split(value)
    return [normalise(str(item).strip()) for item in value if str(item).strip()]


def check_codes(value, kind):
    """Raise ValidationError naming every unknown or repeated code."""
    known = KINDS[kind][1]()
    unknown = [code for code in value if code not in known]
    if unknown:
        label = _("country") if kind == "country" else _("language")
        raise ValidationError(
            ngettext(
                "Unknown %(kind)s code: %(codes)s.",
                "Unknown %(kind)s codes: %(codes)s.",
                len(unknown),
            ),
            code="unknown_code",
            params={"kind": label, "codes": ", ".join(unknown)},
        )
    repeated = sorted({code for code in value if value.count(code) > 1})
    if repeated:
        raise ValidationError(
            _("Each code may appear once; repeated: %(codes)s."),
            code="repeated_code",
            params={"codes": ", ".join(repeated)},
        )


class CodeListFormField(forms.CharField):
    def __init__(self, *, kind, **kwargs):
        self.kind = kind
        kwargs.pop("max_length", None)
        if not kwargs.get("help_text"):
            kwargs["help_text"] = KINDS[kind][2]
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return split_codes(value, self.kind)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        check_codes(value, self.kind)

    def has_changed(self, initial, data):
        return split_codes(initial, self.kind) != split_codes(data, self.kind)


class CodeListField(models.CharField):
    description = _("List of ISO codes")

    def __init__(self, *args, kind="country", **kwargs):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        self.kind = kind
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return split_codes(value, self.kind)

    def to_python(self, value):
        return split_codes(value, self.kind)

    def get_prep_value(self, value):
        if isinstance(value, (list, tuple)):
            return ",".join(split_codes(value, self.kind))
        # A plain string is a lookup value (``countries__contains="UA"``): pass it through as it is.
        return value

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj))

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        check_codes(split_codes(value, self.kind), self.kind)

    def run_validators(self, value):
        super().run_validators(",".join(split_codes(value, self.kind)))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CodeListFormField, "kind": self.kind, **kwargs})


KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class KeyField(models.SlugField):
    """The stable key public URLs and the exchange format use: lower-case letters, digits and single hyphens."""

    default_validators = [
        RegexValidator(
            KEY_PATTERN,
            _("A key is lower-case letters, digits and single hyphens, such as “idfa-2023”."),
            code="invalid_key",
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("key"))
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault(
            "help_text",
            _("Stable identifier used in web addresses and catalogue files; avoid changing it once public."),
        )
        super().__init__(*args, **kwargs)


# A colour as CSS writes it: "#" and six hexadecimal digits in lower case. The field's validator and the named
# check constraint (``colour_constraint``) hold every stored colour to it.
COLOUR_PATTERN = r"^#[0-9a-f]{6}$"


class ColourField(models.CharField):
    """A colour as CSS writes it, ``#0b4f8a`` (six hexadecimal digits, lower case), or empty for the default."""

    default_validators = [
        RegexValidator(
            COLOUR_PATTERN.replace("$", r"\Z"),
            _("A colour is “#” and six hexadecimal digits in lower case, such as “#0b4f8a”."),
            code="invalid_colour",
        )
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().lower() if isinstance(value, str) else value


def colour_constraint(model_name, field):
    """A named check that a colour field holds ``COLOUR_PATTERN`` or nothing: what is written into
    ``/identity.css`` can be nothing but a colour, whoever wrote the row."""
    return models.CheckConstraint(
        condition=models.Q(**{field: ""}) | models.Q(**{f"{field}__regex": COLOUR_PATTERN}),
        name=f"{model_name}_{field}_format",
    )


def key_constraint(model_name):
    """A named check that the key is not empty (the format itself is checked by the field's validator)."""
    return models.CheckConstraint(condition=~models.Q(key=""), name=f"{model_name}_key_not_empty")


def field_error(field, message, code=None, **params):
    """A ValidationError for one form field, with its message's parameters filled in."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})
