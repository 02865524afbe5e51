"""The site's identity: the festival's name, logo, brand colour and typeface, and each section's colour.

They are set in the admin (``Festival.logo``, ``brand_colour``, ``typeface``; ``Section.colour``), never in a
template. The festival is the one the current edition belongs to. Its colours reach the pages through one small
stylesheet, ``/identity.css`` (``templates/films/identity.css``): custom properties for the brand, a class per
section (``section-<edition key>-<section key>``) holding its colour, and the typeface's ``@font-face``. A strict
CSP allows no inline style, so a stylesheet is the one place a colour chosen in the admin can go.

A section without a colour of its own takes one from ``PALETTE`` by its order in its edition: a programme is never
left grey. Every colour is checked for contrast against white text (``text_on``), so a light brand colour gets dark
text instead.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_BRAND = "#0b4f8a"
# Sections' colours when a section has none: distinct hues, each dark enough for white text (contrast ≥ 4.5:1).
PALETTE = ("#b3261e", "#1b6b3a", "#6a3fa0", "#a04a00", "#00677f", "#8a2a62", "#4d5b00", "#3949ab", "#7a4e2d", "#00695c")
WOFF2_SIGNATURE = b"wOF2"
MAX_TYPEFACE_BYTES = 2 * 1024 * 1024


def validate_typeface(file):
    """Model-field validator: a WOFF2 font file of at most 2 MB (judged by its content, not its name)."""
    if getattr(file, "_committed", False) and not hasattr(file, "content_type"):
        return  # stored and checked when it was uploaded
    if file.size > MAX_TYPEFACE_BYTES:
        raise ValidationError(
            _("The font file is %(size)s MB; at most 2 MB is accepted."),
            code="typeface_too_large",
            params={"size": round(file.size / 1_048_576, 1)},
        )
    file.seek(0)
    signature = file.read(4)
    file.seek(0)
    if signature != WOFF2_SIGNATURE:
        raise ValidationError(_("Upload the typeface as a WOFF2 file (.woff2)."), code="typeface_format")


def _channel(value):
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour):
    """The relative luminance of ``#rrggbb`` (WCAG 2)."""
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first, second):
    """The WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(colour):
    """White or near-black: whichever reads better on ``colour``."""
    return "#ffffff" if contrast(colour, "#ffffff") >= contrast(colour, "#1a1a1a") else "#1a1a1a"


def section_colour(colour, position):
    """A section's own colour, else the palette's colour for its ``position`` (0-based) in its edition."""
    return colour or PALETTE[position % len(PALETTE)]


def section_class(edition_key, section_key):
    """The class that carries a section's colour: ``section-berlinale-2026-panorama``."""
    return f"section-{edition_key}-{section_key}"


LOGO_HEIGHT = 40


def logo(festival):
    """The festival's logo as the header shows it: ``{"url", "width", "height"}`` at ``LOGO_HEIGHT`` pixels high,
    or None."""
    if festival is None or not festival.logo:
        return None
    try:
        width, height = festival.logo.width, festival.logo.height
    except (OSError, ValueError):
        return None  # the file is gone: the name alone
    return {"url": festival.logo.url, "width": round(width * LOGO_HEIGHT / max(height, 1)), "height": LOGO_HEIGHT}


def identity():
    """What ``identity.css`` and the header need: the site's festival (or None), its colours, its logo and
    typeface URLs, and every published section's class and colour. Two queries."""
    from .models import Section
    from .queries import current_edition

    edition = current_edition()
    festival = edition.festival if edition else None
    brand = (festival.brand_colour if festival else "") or DEFAULT_BRAND
    sections = []
    positions = {}
    editions = set()
    for edition_key, key, colour in (
        Section.objects.filter(published=True, edition__published=True)
        .order_by("edition_id", "order", "id")
        .values_list("edition__key", "key", "colour")
    ):
        editions.add(edition_key)
        position = positions[edition_key] = positions.get(edition_key, -1) + 1
        value = section_colour(colour, position)
        sections.append({"class": section_class(edition_key, key), "colour": value, "text": text_on(value)})
    return {
        "festival": festival,
        "brand": brand,
        "brand_text": text_on(brand),
        "logo": logo(festival),
        "typeface": festival.typeface.url if festival and festival.typeface else "",
        "sections": sections,
        "editions": sorted(editions),
    }
