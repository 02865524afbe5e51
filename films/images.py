"""Checking uploaded images and deriving the sizes pages show.

An upload is accepted only if Pillow recognises it as one of the allowed formats
(never judged by its file name), it is within the byte and pixel limits, and it
decodes completely. Derived sizes have EXIF orientation applied and carry no
metadata.
"""

import io
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Width in pixels of each derived size.
RENDITIONS = {"thumbnail": 320, "display": 1280}


def _open_checked(file):
    """Open ``file`` with Pillow, enforcing the limits; return the fully decoded image."""
    max_bytes = settings.FESTIVAL_IMAGE_MAX_BYTES
    max_pixels = settings.FESTIVAL_IMAGE_MAX_PIXELS
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s MB; images may be at most %(max)s MB."),
            code="file_too_large",
            params={
                "size": round(size / 1_048_576, 1),
                "max": round(max_bytes / 1_048_576, 1),
            },
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
            image_format = image.format
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("%(format)s images are not accepted; upload a JPEG, PNG or WebP file."),
                    code="image_format",
                    params={"format": image_format or _("Unknown")},
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    _("The image is %(width)s × %(height)s pixels; at most %(max)s megapixels are accepted."),
                    code="too_many_pixels",
                    params={
                        "width": width,
                        "height": height,
                        "max": max_pixels // 1_000_000,
                    },
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image has too many pixels to be processed safely."),
            code="too_many_pixels",
        ) from error
    except ValidationError:
        raise
    except Exception as error:
        # Pillow raises many kinds of errors for damaged or forged files; all mean the same to the uploader.
        raise ValidationError(
            _("The file is not an image or is damaged; upload a JPEG, PNG or WebP file."),
            code="invalid_image",
        ) from error
    finally:
        file.seek(0)
    image.format = image_format
    return image


def validate_image_upload(file):
    """Model-field validator: raise ValidationError unless ``file`` is an acceptable image."""
    if getattr(file, "_committed", False) and not hasattr(file, "content_type"):
        # An image already stored and checked when it was uploaded.
        return
    _open_checked(file)


def safe_name(name, extension):
    stem = get_valid_filename(PurePath(name or "image").stem)[:80] or "image"
    return f"{stem}.{extension}"


def renditions(file):
    """Return ``(width, height, {name: ContentFile})`` for the derived sizes of the image in ``file``."""
    image = ImageOps.exif_transpose(_open_checked(file))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    width, height = image.size
    derived = {}
    for name, target_width in RENDITIONS.items():
        copy = image.copy()
        if copy.width > target_width:
            copy = copy.resize(
                (target_width, max(1, round(copy.height * target_width / copy.width))),
                Image.LANCZOS,
            )
        buffer = io.BytesIO()
        # WebP keeps transparency and is small; saving a fresh image writes no EXIF or other metadata.
        copy.save(buffer, format="WEBP", quality=82)
        derived[name] = ContentFile(
            buffer.getvalue(),
            name=safe_name(f"{PurePath(file.name).stem}-{name}", "webp"),
        )
    return width, height, derived
