"""Shared fixtures: a small published edition to build tests on, and tiny in-memory images."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from films.models import Edition, Festival, Film, Screen, Screening, ScreeningFilm, Section, Venue

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def festival(db):
    return Festival.objects.create(key="idfa", name="International Documentary Film Festival Amsterdam", short_name="IDFA")


@pytest.fixture
def edition(festival):
    return Edition.objects.create(
        festival=festival,
        key="idfa-2023",
        year=2023,
        name="IDFA 2023",
        start_date=datetime.date(2023, 11, 8),
        end_date=datetime.date(2023, 11, 19),
        timezone="Europe/Amsterdam",
        published=True,
    )


@pytest.fixture
def section(edition):
    return Section.objects.create(edition=edition, key="best-of-fests", name="Best of Fests", published=True)


@pytest.fixture
def venue(db):
    return Venue.objects.create(key="example-cinema", name="Example Cinema")


@pytest.fixture
def screen(venue):
    return Screen.objects.create(venue=venue, key="example-cinema-1", name="Example Cinema 1", capacity=220)


@pytest.fixture
def film(db):
    return Film.objects.create(
        key="we-will-not-fade-away",
        title="We Will Not Fade Away",
        original_title="Ми не згаснемо",
        original_title_latin="My ne zgasnemo",
        year=2023,
        runtime_minutes=100,
        published=True,
    )


def local(year, month, day, hour, minute=0, tz=AMSTERDAM):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


@pytest.fixture
def make_screening(edition, section, screen, film):
    """Create a screening of ``film`` (100 minutes) starting at ``starts_at`` unless told otherwise."""

    def make(starts_at, *, key=None, minutes=100, films=None, **fields):
        fields.setdefault("screen", screen)
        fields.setdefault("section", section)
        fields.setdefault("published", True)
        screening = Screening(
            edition=fields.pop("edition", edition),
            key=key or f"s-{starts_at:%m%d%H%M}",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=minutes),
            **fields,
        )
        screening.save()
        for order, item in enumerate(films or [film]):
            ScreeningFilm.objects.create(screening=screening, film=item, order=order)
        return screening

    return make


def tiny_image(fmt="PNG", size=(8, 6), name=None, color=(200, 30, 30)):
    """An image file held in memory, as an upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    return SimpleUploadedFile(name or f"image.{extension}", buffer.getvalue(), content_type=f"image/{extension}")
