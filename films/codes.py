"""ISO code lists (countries, languages, time zones) and their names in the active language.

Names come from Babel's CLDR data, so "UA" reads "Ukraine", "Україна", "Ukraina",
"Ukraine" and "Oekraïne" in the five site languages without us translating them.
"""

from functools import cache
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

# CLDR lists some regions that are not ISO 3166-1 countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


@cache
def _locale(language):
    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@cache
def country_codes():
    return frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha()) - _NOT_COUNTRIES


@cache
def language_codes():
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


@cache
def timezone_names():
    return frozenset(available_timezones())


def country_name(code, language=None):
    return _locale(language or get_language()).territories.get(code, code)


def language_name(code, language=None):
    return _locale(language or get_language()).languages.get(code, code)


def country_choices():
    return sorted(
        ((code, country_name(code)) for code in country_codes()),
        key=lambda item: item[1],
    )


def language_choices():
    return sorted(
        ((code, language_name(code)) for code in language_codes()),
        key=lambda item: item[1],
    )


def timezone_choices():
    return [(name, name) for name in sorted(timezone_names())]
