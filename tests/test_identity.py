"""The festival's identity, set in the admin and never in a template (issue #12): its brand colour, logo and
typeface, and each section's colour carried through the programme, the grid and the film page
(films/identity.py, ``/identity.css``)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from films.identity import PALETTE, contrast, text_on
from films.models import Festival, Section, Selection

from .conftest import local, tiny_image

CSS_URL = "/identity.css"
PROGRAMME_URL = "/en/idfa-2023/programme/"


@pytest.fixture
def sections(edition, section):
    """Three published sections in order: one with its own colour (the first), two taking the palette's."""
    section.colour = "#123456"
    section.order = 1
    section.save()
    shorts = Section.objects.create(edition=edition, key="shorts", name="Shorts", order=2, published=True)
    talks = Section.objects.create(edition=edition, key="talks", name="Talks", order=3, published=True)
    Section.objects.create(edition=edition, key="hidden", name="Hidden", order=4, published=False)
    return section, shorts, talks


def css(client):
    response = client.get(CSS_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    return response.content.decode()


# Colours: one format, held by the field and by the database ------------------------------------------------------


@pytest.mark.parametrize("value", ["red", "#fff", "#12345g", "#1234567", "0b4f8a", "#0b4f8a;}", "#0b4f8 "])
def test_a_colour_that_is_not_six_hexadecimal_digits_is_refused_with_a_message(festival, value):
    festival.brand_colour = value
    with pytest.raises(ValidationError) as error:
        festival.full_clean()
    assert (
        "A colour is “#” and six hexadecimal digits in lower case, such as “#0b4f8a”."
        in error.value.message_dict["brand_colour"]
    )


def test_a_colour_in_capitals_or_with_spaces_is_stored_in_lower_case(festival, section):
    field = Section._meta.get_field("colour")
    assert field.clean(" #B3261E ", section) == "#b3261e"
    assert field.clean("", section) == ""


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [(Festival, "brand_colour", "red"), (Section, "colour", "#b3261"), (Section, "colour", "url(x)")],
)
def test_the_database_refuses_a_colour_written_past_the_form(festival, section, model, field, value):
    row = festival if model is Festival else section
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: value})


def test_every_palette_colour_and_the_default_brand_carry_white_text_at_aa_contrast():
    assert len(set(PALETTE)) == len(PALETTE) == 10
    for colour in (*PALETTE, "#0b4f8a"):
        assert contrast(colour, "#ffffff") >= 4.5, colour
    assert round(contrast("#ffffff", "#000000"), 2) == 21.0
    # A light colour gets dark text instead, a dark one white.
    assert text_on("#ffd400") == "#1a1a1a"
    assert text_on("#b3261e") == "#ffffff"


# /identity.css --------------------------------------------------------------------------------------------------


def test_the_stylesheet_holds_the_brand_and_each_published_sections_colour(client, festival, sections):
    festival.brand_colour = "#ffd400"
    festival.save()
    text = css(client)
    assert "  --accent: #ffd400;\n  --accent-ink: #1a1a1a;\n" in text
    # The first section's own colour; the second and third take the palette's by their position in the edition.
    assert ".section-idfa-2023-best-of-fests { --section: #123456; --section-ink: #ffffff; }" in text
    assert f".section-idfa-2023-shorts {{ --section: {PALETTE[1]}; --section-ink: #ffffff; }}" in text
    assert f".section-idfa-2023-talks {{ --section: {PALETTE[2]}; --section-ink: #ffffff; }}" in text
    assert "hidden" not in text
    # No logo and no typeface: nothing of theirs.
    assert ".site-logo" not in text
    assert "@font-face" not in text


def test_without_a_brand_colour_the_sites_own_blue_is_used(client, festival, sections):
    assert "  --accent: #0b4f8a;\n  --accent-ink: #ffffff;\n" in css(client)


def test_a_changed_section_colour_reaches_the_cached_stylesheet(
    client, sections, settings, django_capture_on_commit_callbacks
):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 300
    cache.clear()
    try:
        assert "--section: #123456;" in css(client)
        with django_capture_on_commit_callbacks(execute=True):
            first = sections[0]
            first.colour = "#654321"
            first.save()
        text = css(client)
        assert "--section: #654321;" in text
        assert "#123456" not in text
    finally:
        cache.clear()


def test_a_logo_is_shown_forty_pixels_high_at_its_own_proportions(client, festival, sections):
    festival.logo = tiny_image("PNG", size=(300, 100), name="logo.png")
    festival.full_clean()
    festival.save()
    text = css(client)
    assert (
        ".site-logo {\n  display: inline-block;\n  width: 120px;\n  height: 40px;\n"
        f'  background: url("{festival.logo.url}") center / contain no-repeat;\n}}'
    ) in text
    assert festival.logo.url.startswith("/media/festivals/logos/logo")


def test_a_logo_that_is_not_an_image_is_refused(festival):
    festival.logo = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        festival.full_clean()
    assert "logo" in error.value.message_dict


def woff2(size=64):
    return SimpleUploadedFile("face.woff2", b"wOF2" + b"\0" * (size - 4), content_type="font/woff2")


def test_a_woff2_typeface_is_declared_for_the_headings(client, festival, sections):
    festival.typeface = woff2()
    festival.full_clean()
    festival.save()
    text = css(client)
    assert f'@font-face {{\n  font-family: "Festival";\n  src: url("{festival.typeface.url}") format("woff2");' in text
    assert 'h1, h2, .site-name { font-family: "Festival", system-ui, sans-serif; }' in text


def test_a_typeface_that_is_not_woff2_or_too_large_is_refused(festival):
    festival.typeface = SimpleUploadedFile("face.woff2", b"OTTO" + b"\0" * 60, content_type="font/woff2")
    with pytest.raises(ValidationError) as error:
        festival.full_clean()
    assert error.value.message_dict["typeface"] == ["Upload the typeface as a WOFF2 file (.woff2)."]
    festival.typeface = woff2(2 * 1024 * 1024 + 1)
    with pytest.raises(ValidationError) as error:
        festival.full_clean()
    assert error.value.message_dict["typeface"] == ["The font file is 2.0 MB; at most 2 MB is accepted."]


def test_the_admin_sets_the_identity_in_its_own_fieldset(admin_client, festival):
    html = admin_client.get(f"/admin/films/festival/{festival.pk}/change/").content.decode()
    assert "<h2" in html
    assert "Identity on the site" in html
    for name in ("logo", "brand_colour", "typeface"):
        assert f'name="{name}"' in html


# The sections' colours on the pages --------------------------------------------------------------------------------


def test_programme_rows_and_grid_cells_carry_their_sections_class(client, sections, make_screening):
    first, shorts, _talks = sections
    make_screening(local(2023, 11, 12, 10), key="morning", section=shorts)
    make_screening(local(2023, 11, 12, 14), key="afternoon", section=first)
    html = client.get(PROGRAMME_URL, {"day": "2023-11-12"}).content.decode()
    assert '<li class="screening screening--scheduled section-idfa-2023-shorts" data-screening="morning">' in html
    assert (
        '<li class="screening screening--scheduled section-idfa-2023-best-of-fests" data-screening="afternoon">' in html
    )
    grid = client.get(PROGRAMME_URL, {"day": "2023-11-12", "view": "grid"}).content.decode()
    assert 'class="grid__screening screening--scheduled section-idfa-2023-shorts"' in grid
    assert 'class="grid__screening screening--scheduled section-idfa-2023-best-of-fests"' in grid
    # Every page links the stylesheet that holds those classes.
    assert '<link rel="stylesheet" href="/identity.css">' in html


def test_the_film_page_names_its_sections_in_their_colours(client, sections, film):
    first, shorts, _talks = sections
    Selection.objects.create(film=film, section=first)
    Selection.objects.create(film=film, section=shorts)
    html = client.get(f"/en/films/{film.key}/").content.decode()
    assert (
        '<ul class="film__sections">'
        '<li><a class="section-tag section-idfa-2023-best-of-fests" href="/en/idfa-2023/sections/best-of-fests/">'
        "Best of Fests</a></li>"
        '<li><a class="section-tag section-idfa-2023-shorts" href="/en/idfa-2023/sections/shorts/">Shorts</a></li></ul>'
    ) in html
