"""Posters, stills and photos: real images only, within limits, with derived sizes."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from films.models import FilmImage

from .conftest import tiny_image


def make_image(film, upload, **fields):
    image = FilmImage(film=film, image=upload, **fields)
    image.full_clean()
    image.save()
    return image


def test_a_real_image_is_stored_with_its_size_and_derived_renditions(film):
    image = make_image(film, tiny_image("JPEG", size=(2000, 1000)), kind="poster")
    image.refresh_from_db()
    assert (image.width, image.height) == (2000, 1000)
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (320, 160)
    with Image.open(image.display.path) as display:
        assert display.size == (1280, 640)


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


def test_a_truncated_image_is_refused(film):
    data = tiny_image("PNG", size=(300, 300)).read()
    upload = SimpleUploadedFile("cut.png", data[: len(data) // 2], content_type="image/png")
    with pytest.raises(ValidationError) as error:
        make_image(film, upload)
    assert error.value.message_dict["image"] == [
        "The file is not an image or is damaged; upload a JPEG, PNG or WebP file."
    ]
