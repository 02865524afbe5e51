"""Forged uploads through the admin's FilmImage form are refused; stored names are safe."""

import io
import math
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from films.models import FilmImage

from .conftest import tiny_image


def png_with_declared_size(width, height):
    """A tiny PNG file whose header declares ``width`` × ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def upload(admin_client, film, file):
    return admin_client.post(
        "/admin/films/filmimage/add/",
        {"film": film.pk, "kind": "poster", "image": file, "caption_en": "Poster", "order": 0},
    )


def refused_with(response, message):
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    # Django's ImageField refuses it first; the model's clean() then finds no image.
    assert errors["image"][0] == message
    assert not FilmImage.objects.exists()


NOT_AN_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("poster.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("poster.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'),
        ("poster.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 100),
    ],
    ids=["html-named-jpg", "svg", "png-header-then-garbage"],
)
def test_forged_files_are_refused(admin_client, film, name, content):
    response = upload(admin_client, film, SimpleUploadedFile(name, content, content_type="image/jpeg"))
    refused_with(response, NOT_AN_IMAGE)


def test_svg_is_refused_by_extension_too(admin_client, film):
    svg = SimpleUploadedFile("drawing.svg", tiny_image().read(), content_type="image/svg+xml")
    response = upload(admin_client, film, svg)
    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert not FilmImage.objects.exists()


def test_oversized_file_is_refused(admin_client, film, settings):
    settings.FESTIVAL_IMAGE_MAX_BYTES = 1024
    big = tiny_image(size=(400, 400))
    buffer = io.BytesIO()
    from PIL import Image

    Image.effect_noise((400, 400), 80).convert("RGB").save(buffer, format="PNG")
    big = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    assert big.size > 1024
    response = upload(admin_client, film, big)
    # Its size in MB rounded up to a tenth (the noise makes it a different size each time).
    refused_with(response, f"The file is {math.ceil(big.size * 10 / 1_048_576) / 10} MB; images may be at most 0.0 MB.")


def test_decompression_bomb_png_is_refused(admin_client, film):
    bomb = SimpleUploadedFile("bomb.png", png_with_declared_size(60_000, 60_000), content_type="image/png")
    assert bomb.size < 100
    response = upload(admin_client, film, bomb)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert errors, "the bomb was accepted"
    assert not FilmImage.objects.exists()


def test_path_traversal_name_is_stored_under_the_images_folder_with_a_safe_name(admin_client, film, settings):
    response = upload(admin_client, film, tiny_image(name="../../etc/passwd.png"))
    assert response.status_code == 302
    image = FilmImage.objects.get()
    assert image.image.name == "films/images/passwd.png"
    assert image.image.path.startswith(str(settings.MEDIA_ROOT / "films" / "images"))
    # Its renditions are named after the stored name, in their own folder.
    assert image.renditions == [
        {"width": 8, "height": 6, "webp": "films/renditions/passwd-8.webp", "jpeg": "films/renditions/passwd-8.jpg"}
    ]
    for name in image.stored_names():
        assert image.image.storage.path(name).startswith(str(settings.MEDIA_ROOT / "films"))


def test_odd_characters_in_names_are_replaced(admin_client, film):
    response = upload(admin_client, film, tiny_image(name='my "poster" <b>.png'))
    assert response.status_code == 302
    image = FilmImage.objects.get()
    assert image.image.name == "films/images/my_poster_b.png"
    assert image.stored_names() == [
        "films/images/my_poster_b.png",
        "films/renditions/my_poster_b-8.webp",
        "films/renditions/my_poster_b-8.jpg",
    ]


def test_an_upload_through_the_admin_gets_every_rendition_without_metadata(admin_client, film):
    from PIL import Image

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (1600, 900), (40, 80, 120)).save(buffer, format="JPEG", exif=exif, comment=b"secret")
    response = upload(admin_client, film, SimpleUploadedFile("still.jpg", buffer.getvalue(), content_type="image/jpeg"))
    assert response.status_code == 302
    image = FilmImage.objects.get()
    assert [(entry["width"], entry["height"]) for entry in image.renditions] == [
        (160, 90),
        (320, 180),
        (640, 360),
        (1280, 720),
    ]
    for name in image.stored_names()[1:]:
        with image.image.storage.open(name) as handle:
            data = handle.read()
        assert b"SecretCam" not in data
        assert b"secret" not in data
        with Image.open(io.BytesIO(data)) as rendition:
            assert rendition.format == ("WEBP" if name.endswith(".webp") else "JPEG")
            assert not rendition.getexif()
