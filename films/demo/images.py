"""Posters and stills for demo films: a colour gradient with the title drawn on it, made with Pillow.

Posters are 320 × 480 (a card shows 64 to 96 CSS pixels of one, a film page 120 to 320) and stills 1280 × 720
(a film page leads with one across its width); each is stored as a JPEG original with its renditions
(``films.images``). They depend only on their arguments, so the same seed draws the same pictures.
"""

import io
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

POSTER_SIZE = (320, 480)
STILL_SIZE = (1280, 720)


@cache
def _font(size):
    return ImageFont.load_default(size=size)


def _gradient(size, top, bottom):
    """A vertical gradient from ``top`` to ``bottom`` (RGB tuples): a 1×2 image stretched smoothly down one
    column, then across (much faster than stretching it both ways at once)."""
    seed = Image.new("RGB", (1, 2))
    seed.putpixel((0, 0), top)
    seed.putpixel((0, 1), bottom)
    return seed.resize((1, size[1]), Image.BILINEAR).resize(size, Image.NEAREST)


def _wrap(text, font, width, draw):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def jpeg(image, name):
    """``image`` as a JPEG upload named ``name``: the original a FilmImage stores."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def poster(title, credit, top, bottom):
    """A poster (a Pillow image): gradient, the title in large letters and ``credit`` (e.g. "A film by …") at
    the foot."""
    width, height = POSTER_SIZE
    image = _gradient(POSTER_SIZE, top, bottom)
    draw = ImageDraw.Draw(image)
    font = _font(30)
    y = 75
    for line in _wrap(title, font, width - 52, draw)[:6]:
        draw.text((26, y), line, font=font, fill=(255, 255, 255))
        y += 38
    draw.text((26, height - 52), credit, font=_font(15), fill=(240, 240, 240))
    return image


def still(title, top, bottom, horizon=2 / 3, sun=0.7):
    """A still (a Pillow image): a sky of colour over land below ``horizon`` (a share of the height), a sun at
    ``sun`` (a share of the width) going down behind it, and ``title`` small in a corner (none when empty)."""
    width, height = STILL_SIZE
    image = _gradient(STILL_SIZE, top, bottom)
    draw = ImageDraw.Draw(image)
    line = round(height * horizon)
    x, radius = round(width * sun), height // 9
    draw.ellipse((x - radius, line - radius, x + radius, line + radius), fill=(255, 236, 200))
    draw.rectangle((0, line, width, height), fill=tuple(channel // 2 for channel in bottom))
    if title:
        draw.text((40, height - 72), title, font=_font(32), fill=(255, 255, 255))
    return image
