"""Checking uploaded images, deriving the sizes pages show, and what pages write of them.

An upload is accepted only if Pillow recognises it as one of the allowed formats
(never judged by its file name), it is within the byte and pixel limits, and it
decodes completely. Its renditions (each of ``RENDITION_WIDTHS`` up to its own
width, in WebP and in JPEG) have EXIF orientation applied, are converted to sRGB
and carry no metadata. ``picture_data`` turns a film image's renditions into what
the ``picture`` macro (``templates/jinja2/films/picture.html``) writes: a
``<picture>`` with ``srcset``, ``sizes``, width and height.
"""

import contextlib
import functools
import io
import json
import logging
import math
import posixpath
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.encoding import filepath_to_uri
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Widths in pixels of the derived sizes ("renditions"), each saved in WebP and in JPEG: from a card's thumbnail
# (64–96 CSS pixels wide, on screens of one to three device pixels per CSS pixel) to the film page's leading
# image. None is wider than the original: an image narrower than the largest gets its own width as its largest.
RENDITION_WIDTHS = (160, 320, 640, 1280)
# What pages link to when they show one file: ``FilmImage.thumbnail`` (the largest rendition at most this wide,
# in WebP) and ``FilmImage.display`` (the largest, in WebP).
THUMBNAIL_WIDTH = 320
RENDITIONS_FOLDER = "films/renditions"
# A card's thumbnail (64 CSS pixels wide on a phone, 96 on a wider screen: at most 320 device pixels on screens
# of up to 3.3 device pixels per CSS pixel) lists the renditions up to this width in its srcset, and its <img>
# falls back to the widest of them.
CARD_MAX_WIDTH = 320
CARD_SRC_WIDTH = 320
# The width a card's thumbnail takes (films/static/films/css/site.css): its ``sizes``.
CARD_SIZES = "(min-width: 40rem) 6rem, 4rem"
# Pillow's name and encoder options of each format; the keys are those of a rendition's entry.
ENCODINGS = {
    "webp": ("WEBP", "webp", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
}
# The demo's pictures (flat colours drawn by Pillow, films/demo/images.py) compress alike at any effort: it
# encodes them with the least, several times faster.
QUICK_ENCODINGS = {
    "webp": ("WEBP", "webp", {"quality": 80, "method": 0}),
    "jpeg": ("JPEG", "jpg", {"quality": 82}),
}
# What a transparent image is put on for JPEG, which has no transparency.
JPEG_BACKGROUND = (255, 255, 255)

logger = logging.getLogger(__name__)


def megabytes(size):
    """``size`` (bytes) in MB for an error message: rounded up to a tenth, so that a file just over a limit never
    reads as the limit itself."""
    return math.ceil(size * 10 / 1_048_576) / 10


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
                "size": megabytes(size),
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


def checked_extension(file):
    """The extension of ``file``'s format (``jpg``, ``png``, ``webp``); ValidationError unless it is acceptable."""
    return ALLOWED_FORMATS[_open_checked(file).format]


def validate_image_upload(file):
    """Model-field validator: raise ValidationError unless ``file`` is an acceptable image."""
    if getattr(file, "_committed", False) and not hasattr(file, "content_type"):
        # An image already stored and checked when it was uploaded.
        return
    _open_checked(file)


def safe_name(name, extension):
    stem = get_valid_filename(PurePath(name or "image").stem)[:80] or "image"
    return f"{stem}.{extension}"


def rendition_widths(width):
    """The widths of the renditions of an image ``width`` pixels wide: each of ``RENDITION_WIDTHS`` narrower than
    it, then its own width (at most the largest of them)."""
    widest = min(width, RENDITION_WIDTHS[-1])
    return [*(each for each in RENDITION_WIDTHS if each < widest), widest]


def _in_srgb(image):
    """``image`` in RGB or RGBA, converted to sRGB from its embedded colour profile, if any (the renditions carry
    no profile, and browsers show an untagged image as sRGB)."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):  # a damaged profile: pixels as they are
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    return image


def _encoded(image, kind, encodings=ENCODINGS):
    """``image`` encoded as ``kind`` (a key of ``ENCODINGS``): bytes with no metadata (no EXIF, XMP or profile)."""
    pillow_format, _extension, options = encodings[kind]
    if kind == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, JPEG_BACKGROUND)
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buffer = io.BytesIO()
    # Pillow writes metadata only when it is passed to save(): none is.
    image.save(buffer, format=pillow_format, **options)
    return buffer.getvalue()


def renditions(file, *, picture=None, quick=False):
    """Return ``(width, height, [{"width", "height", "webp": ContentFile, "jpeg": ContentFile}, ...])``: the size
    of the image in ``file`` as displayed (EXIF orientation applied) and its renditions, narrowest first.

    ``picture``: the image already decoded (a Pillow image the caller drew: ``file`` is not read again);
    ``quick``: encoded with ``QUICK_ENCODINGS`` (the demo's).
    """
    # exif_transpose() gives a copy: ``picture`` itself is left as it is.
    image = _in_srgb(ImageOps.exif_transpose(picture if picture is not None else _open_checked(file)))
    # Nothing of the original's metadata (EXIF, XMP, a JPEG comment, the profile) reaches a rendition: Pillow
    # carries some of ``info`` over to a file it saves.
    image.info = {}
    width, height = image.size
    stem = PurePath(file.name or "image").stem
    encodings = QUICK_ENCODINGS if quick else ENCODINGS
    derived = []
    larger = image
    for target in reversed(rendition_widths(width)):
        size = (target, max(1, round(height * target / width)))
        if target == width:
            copy = image
        elif quick and larger.size == (size[0] * 2, size[1] * 2):
            copy = larger.reduce(2)  # Half of the next larger one: what the quick way can take.
        else:
            # A reducing gap of 3 is as sharp as a plain Lanczos resize to the eye, and several times faster.
            copy = image.resize(size, Image.LANCZOS, reducing_gap=3.0)
        larger = copy
        entry = {"width": copy.width, "height": copy.height}
        for kind, (_format, extension, _options) in encodings.items():
            content = _encoded(copy, kind, encodings)
            entry[kind] = ContentFile(content, name=safe_name(f"{stem}-{copy.width}", extension))
        derived.append(entry)
    return width, height, derived[::-1]


def store_renditions(image, *, picture=None, quick=False):
    """Derive the renditions of ``image.image`` (a ``FilmImage``, or its historical model in a migration), store
    their files and set its ``width``, ``height``, ``renditions``, ``thumbnail`` and ``display`` (not saved).

    ``renditions`` becomes a list, narrowest first, of ``{"width", "height", "webp", "jpeg"}`` (the files' names
    in the image's storage): what a page needs to write ``srcset`` (``picture_data``). Returns the names stored.
    ``picture`` and ``quick``: see ``renditions``.
    """
    storage = image.image.storage
    if picture is None and getattr(image.image, "_committed", True):
        with image.image.open("rb"):  # a file already stored: closed again when read
            image.width, image.height, derived = renditions(image.image)
    else:
        image.width, image.height, derived = renditions(image.image, picture=picture, quick=quick)
    stored = []
    entries = []
    for entry in derived:
        names = {}
        for kind in ENCODINGS:
            names[kind] = storage.save(posixpath.join(RENDITIONS_FOLDER, entry[kind].name), entry[kind])
            stored.append(names[kind])
        entries.append({"width": entry["width"], "height": entry["height"], **names})
    image.renditions = entries
    small = [entry for entry in entries if entry["width"] <= THUMBNAIL_WIDTH] or entries[:1]
    image.thumbnail.name = small[-1]["webp"]
    image.display.name = entries[-1]["webp"]
    return stored


def add_renditions(model, *, redo=False, limit=None, log=None):
    """Derive and store the renditions of stored images of ``model`` (``FilmImage``, or its historical model in a
    migration) that have none (every one with ``redo``), ``limit`` at most, oldest first; return how many were
    made and how many failed.

    Bounded: it lists the images' ids, then reads, decodes and writes one image at a time (each within the upload
    limits), and saves each row as soon as its files are stored. Files the row named before and no longer names
    (an old thumbnail and display size) are deleted. An image whose file is missing or unreadable is logged and
    left as it is.
    """
    pending = model.objects.exclude(image="")
    if not redo:
        pending = pending.filter(renditions__isnull=True)
    ids = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    made = failed = 0
    if ids and log:
        log(f"Deriving the renditions of {len(ids)} image(s)…")
    for start in range(0, len(ids), 100):
        for image in model.objects.filter(pk__in=ids[start : start + 100]).order_by("pk"):
            before = {image.thumbnail.name, image.display.name, *rendition_names(image.renditions)}
            try:
                stored = store_renditions(image)
            except (OSError, ValidationError) as error:
                failed += 1
                message = error.messages[0] if isinstance(error, ValidationError) else error
                logger.warning("No renditions of %s: %s", image.image.name, message)
                continue
            model.objects.filter(pk=image.pk).update(
                width=image.width,
                height=image.height,
                renditions=image.renditions,
                thumbnail=image.thumbnail.name,
                display=image.display.name,
            )
            for name in before - set(stored) - {""}:
                image.image.storage.delete(name)
            made += 1
        if log and len(ids) > 100:
            log(f"{min(start + 100, len(ids))} of {len(ids)} images done.")
    return made, failed


def rendition_names(renditions):
    """The names of the files of ``renditions`` (a ``FilmImage.renditions`` list, or None)."""
    return [entry[kind] for entry in renditions or () for kind in ENCODINGS]


# What pages write ----------------------------------------------------------


@functools.lru_cache(maxsize=16384)
def uri_path(name):
    """A stored file's name as the path of its URL (``filepath_to_uri``), kept: pages write the same names often."""
    return filepath_to_uri(name)


def media_urls(storage=None, prefix=""):
    """A function from a stored file's name to its URL in ``storage`` (the default storage), ``prefix`` before it.

    For files on this server's file system, its base URL and the name as a URI path: what the storage's ``url``
    gives for the names stored here (no ``..``, no leading slash), without parsing and joining URLs each time (a
    programme day writes some six hundred of them).
    """
    storage = storage or default_storage
    if isinstance(storage, FileSystemStorage):
        base = f"{prefix}{storage.base_url}"

        def url(name):
            return f"{base}{uri_path(name)}"

        return url
    if prefix:
        return lambda name: f"{prefix}{storage.url(name)}"
    return storage.url


def card_picture(renditions_json, origin=""):
    """``picture_data`` of a card's thumbnail (no alt: the title beside it says what it shows) from the text of its
    image's renditions (``films.queries.card_image``), or None; URLs after ``origin`` (an embedding site's)."""
    if not renditions_json:
        return None
    return picture_data(
        json.loads(renditions_json), max_width=CARD_MAX_WIDTH, src_width=CARD_SRC_WIDTH, url=media_urls(prefix=origin)
    )


def picture_data(renditions, alt="", *, max_width=None, src_width=640, url=None):
    """The plain dict ``templates/jinja2/films/picture.html``'s ``picture`` macro writes a ``<picture>`` from, or
    None when there are no ``renditions`` (a ``FilmImage.renditions`` list).

    ``alt`` is a ``str`` or a ``films.public.Text`` (a caption from ``translated``): in another language than the
    page's, it gets ``lang``. ``max_width`` leaves wider renditions out of ``srcset`` (a card never needs them);
    the ``<img>``'s own ``src``, ``width`` and ``height`` are those of the narrowest rendition at least
    ``src_width`` wide (else the widest). ``url`` turns a stored name into its URL (the storage's ``url``).

        {"webp": "/media/…-160.webp 160w, /media/…-320.webp 320w", "jpeg": "/media/…-160.jpg 160w, …",
         "src": "/media/…-320.jpg", "width": 320, "height": 480, "alt": "…", "lang": ""}
    """
    if not renditions:
        return None
    url = url or media_urls()
    chosen = [entry for entry in renditions if max_width is None or entry["width"] <= max_width] or renditions[:1]
    fallback = next((entry for entry in chosen if entry["width"] >= src_width), chosen[-1])
    return {
        "webp": ", ".join(f"{url(entry['webp'])} {entry['width']}w" for entry in chosen),
        "jpeg": ", ".join(f"{url(entry['jpeg'])} {entry['width']}w" for entry in chosen),
        "src": url(fallback["jpeg"]),
        "width": fallback["width"],
        "height": fallback["height"],
        "alt": str.__str__(alt or ""),
        "lang": alt.lang if getattr(alt, "fallback", False) and alt else "",
    }
