"""Text helpers of the demo: translated field values, Latin spellings and keys."""

import unicodedata

from django.conf import settings
from django.utils.text import slugify


def site_languages():
    return [code for code, _name in settings.LANGUAGES]


def translated(name, texts):
    """Model keyword arguments for a translated field: one per site language, None where the text is missing."""
    return {f"{name}_{code}": texts.get(code) or None for code in site_languages()}


LATIN_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "Đ": "D", "ı": "i", "æ": "ae", "þ": "th", "ð": "d"}
)


def ascii_latin(text):
    """Latin text without diacritics ("Łukasz Wójcik" → "Lukasz Wojcik"), for keys and for the posters' font."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LATIN_FOLD))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).encode("ascii", "ignore").decode()


def keyify(text):
    """A key made from a Latin name or title ("Łukasz Wójcik" → "lukasz-wojcik")."""
    return slugify(ascii_latin(text).replace("'", "")) or "x"


UKRAINIAN_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "’": "",
}


def ukrainian_latin(text):
    """Ukrainian in Latin letters after the national transliteration (simplified)."""
    out = []
    for char in text:
        latin = UKRAINIAN_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)
