"""Posters and stills for demo films: a colour gradient with the title drawn on it, made with Pillow.

The images are JPEG and small (posters 300 × 450, stills 480 × 270: below the derived sizes' widths, so
deriving them only re-encodes) and depend only on their arguments, so the same seed draws the same pictures.
"""

import io
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

POSTER_SIZE = (300, 450)
STILL_SIZE = (480, 270)


@cache
def _font(size):
    return ImageFont.load_default(size=size)


def _gradient(size, top, bottom):
    """A vertical gradient from ``top`` to ``bottom`` (RGB tuples): a 1×2 image stretched smoothly."""
    seed = Image.new("RGB", (1, 2))
    seed.putpixel((0, 0), top)
    seed.putpixel((0, 1), bottom)
    return seed.resize(size, Image.BILINEAR)


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


def _jpeg(image, name):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def poster(name, title, credit, top, bottom):
    """A poster: gradient, the title in large letters and ``credit`` (e.g. "A film by …") at the foot."""
    image = _gradient(POSTER_SIZE, top, bottom)
    draw = ImageDraw.Draw(image)
    font = _font(28)
    y = 70
    for line in _wrap(title, font, POSTER_SIZE[0] - 48, draw)[:6]:
        draw.text((24, y), line, font=font, fill=(255, 255, 255))
        y += 36
    draw.text((24, POSTER_SIZE[1] - 48), credit, font=_font(14), fill=(240, 240, 240))
    return _jpeg(image, name)


def still(name, title, top, bottom):
    """A still: a horizontal band of colour with a horizon line and the title small in a corner."""
    image = _gradient(STILL_SIZE, top, bottom)
    draw = ImageDraw.Draw(image)
    horizon = STILL_SIZE[1] * 2 // 3
    draw.rectangle((0, horizon, STILL_SIZE[0], STILL_SIZE[1]), fill=tuple(channel // 2 for channel in bottom))
    draw.text((16, STILL_SIZE[1] - 30), title, font=_font(14), fill=(255, 255, 255))
    return _jpeg(image, name)
