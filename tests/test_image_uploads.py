"""Posters, stills and photos: real images only, within limits, with derived sizes."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from films.models import FilmImage
from films.programme_pdf import render_pdf

from .conftest import tiny_image


def make_image(film, upload, **fields):
    image = FilmImage(film=film, image=upload, **fields)
    image.full_clean()
    image.save()
    return image


def rendition_files(image):
    """``[(name, Pillow's format, size, EXIF tags, metadata keys), ...]`` of each rendition file of ``image``."""
    found = []
    for entry in image.renditions:
        for kind in ("webp", "jpeg"):
            with Image.open(image.image.storage.path(entry[kind])) as rendition:
                metadata = sorted(set(rendition.info) & {"exif", "icc_profile", "xmp", "comment", "dpi"})
                found.append((entry[kind], rendition.format, rendition.size, dict(rendition.getexif()), metadata))
    return found


def test_a_real_image_is_stored_with_its_size_and_derived_renditions(film):
    image = make_image(film, tiny_image("JPEG", size=(2000, 1000), name="wide.jpg"), kind="poster")
    image.refresh_from_db()
    assert (image.width, image.height) == (2000, 1000)
    # Each width in WebP and in JPEG, narrowest first, none wider than 1280.
    assert image.renditions == [
        {
            "width": width,
            "height": width // 2,
            "webp": f"films/renditions/wide-{width}.webp",
            "jpeg": f"films/renditions/wide-{width}.jpg",
        }
        for width in (160, 320, 640, 1280)
    ]
    assert rendition_files(image) == [
        (f"films/renditions/wide-{width}.{extension}", image_format, (width, width // 2), {}, [])
        for width in (160, 320, 640, 1280)
        for extension, image_format in (("webp", "WEBP"), ("jpg", "JPEG"))
    ]
    # The thumbnail and display size the admin and JSON-LD show are two of them.
    assert (image.thumbnail.name, image.display.name) == (
        "films/renditions/wide-320.webp",
        "films/renditions/wide-1280.webp",
    )
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (320, 160)
    with Image.open(image.display.path) as display:
        assert display.size == (1280, 640)


@pytest.mark.parametrize(
    ("size", "widths"),
    [
        ((1280, 720), [160, 320, 640, 1280]),
        ((900, 1350), [160, 320, 640, 900]),
        ((320, 480), [160, 320]),
        ((200, 300), [160, 200]),
        ((120, 80), [120]),
    ],
)
def test_no_rendition_is_wider_than_the_original(film, size, widths):
    image = make_image(film, tiny_image("PNG", size=size, name="picture.png"))
    assert [(entry["width"], entry["height"]) for entry in image.renditions] == [
        (width, round(size[1] * width / size[0])) for width in widths
    ]


def test_a_transparent_png_keeps_its_transparency_in_webp_and_is_put_on_white_in_jpeg(film):
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 100), (255, 0, 0, 0)).save(buffer, format="PNG")
    image = make_image(film, SimpleUploadedFile("clear.png", buffer.getvalue(), content_type="image/png"))
    entry = image.renditions[-1]
    with Image.open(image.image.storage.path(entry["webp"])) as webp:
        assert webp.mode == "RGBA"
        assert webp.getpixel((10, 10))[3] == 0
    with Image.open(image.image.storage.path(entry["jpeg"])) as jpeg:
        assert jpeg.mode == "RGB"
        assert all(channel > 245 for channel in jpeg.getpixel((10, 10)))


def test_exif_orientation_is_applied_and_metadata_stripped_from_derived_sizes(film):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (400, 200), (10, 20, 30)).save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("rotated.jpg", buffer.getvalue(), content_type="image/jpeg")
    image = make_image(film, upload)
    assert (image.width, image.height) == (200, 400)
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.size == (200, 400)
        assert not thumbnail.getexif()
    # Every rendition is upright and carries no EXIF (no camera make), nor any other metadata.
    assert rendition_files(image) == [
        ("films/renditions/rotated-160.webp", "WEBP", (160, 320), {}, []),
        ("films/renditions/rotated-160.jpg", "JPEG", (160, 320), {}, []),
        ("films/renditions/rotated-200.webp", "WEBP", (200, 400), {}, []),
        ("films/renditions/rotated-200.jpg", "JPEG", (200, 400), {}, []),
    ]
    for name in image.stored_names()[1:]:
        with image.image.storage.open(name) as handle:
            assert b"SecretCam" not in handle.read()


def test_a_file_that_is_not_an_image_is_refused(film):
    upload = SimpleUploadedFile("poster.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        make_image(film, upload)
    assert error.value.message_dict["image"] == [
        "The file is not an image or is damaged; upload a JPEG, PNG or WebP file."
    ]
    assert FilmImage.objects.count() == 0


def test_a_format_outside_the_allowed_ones_is_refused_whatever_its_name(film):
    with pytest.raises(ValidationError) as error:
        make_image(film, tiny_image("GIF", name="poster.png"))
    assert error.value.message_dict["image"] == ["GIF images are not accepted; upload a JPEG, PNG or WebP file."]


def test_an_image_with_too_many_pixels_is_refused(film, settings):
    settings.FESTIVAL_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as error:
        make_image(film, tiny_image("PNG", size=(2000, 1000)))
    assert error.value.message_dict["image"] == ["The image is 2000 × 1000 pixels; at most 1 megapixels are accepted."]


def test_a_file_over_the_size_limit_is_refused(film, settings):
    settings.FESTIVAL_IMAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        make_image(film, tiny_image("PNG", size=(64, 64), color=(1, 2, 3)))
    assert error.value.message_dict["image"][0].startswith("The file is ")
    assert error.value.message_dict["image"][0].endswith("images may be at most 0.0 MB.")


def test_a_file_one_byte_over_the_limit_does_not_read_as_the_limit(film, settings):
    settings.FESTIVAL_IMAGE_MAX_BYTES = 2 * 1_048_576
    upload = SimpleUploadedFile("poster.png", b"\0" * (2 * 1_048_576 + 1), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        make_image(film, upload)
    assert error.value.message_dict["image"] == ["The file is 2.1 MB; images may be at most 2.0 MB."]


@pytest.mark.parametrize("after_printing", [False, True])
def test_a_truncated_image_is_refused(film, after_printing):
    """Also in a process that has printed a booklet: importing WeasyPrint makes Pillow accept truncated images,
    which ``films.programme_pdf.weasyprint()`` undoes."""
    if after_printing:
        render_pdf("<!DOCTYPE html><html lang=en><title>t</title><p>A page.</p></html>")
    data = tiny_image("PNG", size=(300, 300)).read()
    upload = SimpleUploadedFile("cut.png", data[: len(data) // 2], content_type="image/png")
    with pytest.raises(ValidationError) as error:
        make_image(film, upload)
    assert error.value.message_dict["image"] == [
        "The file is not an image or is damaged; upload a JPEG, PNG or WebP file."
    ]
