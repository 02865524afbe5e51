"""Film pictures on the public pages: responsive renditions (WebP beside JPEG), one ``picture`` macro, cards in the
programme, on section pages and in search results, the film page led by its image, lazy loading below the fold, and
the query counts they leave as they were."""

import datetime
import importlib
import io
import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.template import Context, Template
from PIL import Image

from films.images import picture_data, rendition_names
from films.models import Film, FilmImage, Person, Screening, ScreeningGuest, Selection
from films.public import Text
from tests.conftest import local, saved_days_ago, tiny_image

PROGRAMME = "/en/idfa-2023/programme/"
DAY = {"day": "2023-11-12"}
CARD_SIZES = "(min-width: 40rem) 6rem, 4rem"
MEDIA = "/media/films/renditions"


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.FESTIVAL_PAGE_CACHE_SECONDS = 0


def add_image(film, kind, size, name, order=0, **fields):
    return FilmImage.objects.create(film=film, kind=kind, order=order, image=tiny_image(size=size, name=name), **fields)


def srcset(stem, widths, extension):
    return ", ".join(f"{MEDIA}/{stem}-{width}.{extension} {width}w" for width in widths)


def card(class_, stem, width, height, loading):
    """A card's thumbnail: the renditions up to 320 pixels wide, its alt empty (the title beside it says it all)."""
    widest = min(width, 320)
    widths = [each for each in (160, 320) if each < widest] + [widest]
    return (
        f'<picture class="{class_}"><source type="image/webp" srcset="{srcset(stem, widths, "webp")}" '
        f'sizes="{CARD_SIZES}"><img src="{MEDIA}/{stem}-{widths[-1]}.jpg" srcset="{srcset(stem, widths, "jpg")}" '
        f'sizes="{CARD_SIZES}" width="{widths[-1]}" height="{round(height * widths[-1] / width)}" alt="" '
        f'loading="{loading}" decoding="async"></picture>'
    )


# What Python hands the templates ------------------------------------------------------------------------------


def test_picture_data_is_a_plain_dict_of_srcsets_the_fallback_image_and_its_alt():
    renditions = [
        {
            "width": width,
            "height": width // 2,
            "webp": f"films/renditions/a-{width}.webp",
            "jpeg": f"films/renditions/a-{width}.jpg",
        }
        for width in (160, 320, 640, 1280)
    ]
    assert picture_data(renditions, Text("Кадр", "uk", True)) == {
        "webp": srcset("a", (160, 320, 640, 1280), "webp"),
        "jpeg": srcset("a", (160, 320, 640, 1280), "jpg"),
        "src": f"{MEDIA}/a-640.jpg",
        "width": 640,
        "height": 320,
        "alt": "Кадр",
        "lang": "uk",
    }
    # A card: nothing wider than it needs, the fallback the widest of those; an alt in the page's language.
    assert picture_data(renditions, Text("A still", "en", False), max_width=320, src_width=320) == {
        "webp": srcset("a", (160, 320), "webp"),
        "jpeg": srcset("a", (160, 320), "jpg"),
        "src": f"{MEDIA}/a-320.jpg",
        "width": 320,
        "height": 160,
        "alt": "A still",
        "lang": "",
    }
    assert picture_data(None) is None
    assert picture_data([]) is None


def test_the_django_tag_renders_the_same_macro_and_a_placeholder_without_an_image():
    image = {
        "webp": "/m/a.webp 160w",
        "jpeg": "/m/a.jpg 160w",
        "src": "/m/a.jpg",
        "width": 160,
        "height": 90,
        "alt": 'Dawn "on" <the> hill',
        "lang": "de",
    }
    template = Template(
        '{% load pictures %}{% picture image "50vw" "eager" "lead" "high" %}|'
        '{% picture none "50vw" "lazy" "card__image" %}|'
    )
    assert template.render(Context({"image": image, "none": None})) == (
        '<picture class="lead"><source type="image/webp" srcset="/m/a.webp 160w" sizes="50vw">'
        '<img src="/m/a.jpg" srcset="/m/a.jpg 160w" sizes="50vw" width="160" height="90" '
        'alt="Dawn &#34;on&#34; &lt;the&gt; hill" lang="de" loading="eager" fetchpriority="high" decoding="async">'
        '</picture>|<span class="card__image picture--none"></span>|'
    )
    assert Template('{% load pictures %}{% picture none "50vw" %}').render(Context({"none": None})) == ""


# The renditions -------------------------------------------------------------------------------------------------


def test_each_rendition_exists_in_webp_and_jpeg_at_its_width_without_metadata(film):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (1600, 900), (30, 60, 90)).save(buffer, format="JPEG", exif=exif)
    image = FilmImage.objects.create(
        film=film, kind="still", image=ContentFile(buffer.getvalue(), name="dawn.jpg"), caption="Dawn"
    )
    assert image.renditions == [
        {
            "width": width,
            "height": height,
            "webp": f"films/renditions/dawn-{width}.webp",
            "jpeg": f"films/renditions/dawn-{width}.jpg",
        }
        for width, height in ((160, 90), (320, 180), (640, 360), (1280, 720))
    ]
    for entry in image.renditions:
        for kind, image_format in (("webp", "WEBP"), ("jpeg", "JPEG")):
            with Image.open(image.image.storage.path(entry[kind])) as rendition:
                assert (rendition.format, rendition.size) == (image_format, (entry["width"], entry["height"]))
                assert not rendition.getexif()
                assert "icc_profile" not in rendition.info


def test_images_stored_before_renditions_get_them_from_the_migration_and_old_files_go(film):
    image = add_image(film, "poster", (400, 600), "old.png")
    storage = image.image.storage
    for name in rendition_names(image.renditions):
        storage.delete(name)
    thumbnail = storage.save("films/thumbnails/old-thumbnail.webp", ContentFile(b"old"))
    display = storage.save("films/display/old-display.webp", ContentFile(b"old"))
    FilmImage.objects.filter(pk=image.pk).update(renditions=None, thumbnail=thumbnail, display=display)
    broken = FilmImage.objects.create(film=film, kind="still", image=tiny_image(name="gone.png"))
    storage.delete(broken.image.name)
    FilmImage.objects.filter(pk=broken.pk).update(renditions=None)

    importlib.import_module("films.migrations.0010_image_renditions").derive_renditions(apps, None)

    image.refresh_from_db()
    assert [(entry["width"], entry["height"], entry["jpeg"]) for entry in image.renditions] == [
        (160, 240, "films/renditions/old-160.jpg"),
        (320, 480, "films/renditions/old-320.jpg"),
        (400, 600, "films/renditions/old-400.jpg"),
    ]
    assert (image.thumbnail.name, image.display.name) == (
        "films/renditions/old-320.webp",
        "films/renditions/old-400.webp",
    )
    assert all(storage.exists(name) for name in rendition_names(image.renditions))
    assert not storage.exists(thumbnail)
    assert not storage.exists(display)
    # A missing file is left as it is; the command tries it again (and redoes every image with --redo).
    broken.refresh_from_db()
    assert broken.renditions is None
    out = io.StringIO()
    call_command("make_image_renditions", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Renditions made for 0 image(s); 1 could not be read."
    out = io.StringIO()
    call_command("make_image_renditions", "--redo", "--limit", "1", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Renditions made for 1 image(s); 0 could not be read."


# Cards --------------------------------------------------------------------------------------------------------


@pytest.fixture
def three_screenings(edition, section, film, make_screening):
    """Three screenings on 12 November: the example film (a poster and a still), a film with stills only (the
    first by order leads), and one with no image file (only an address elsewhere)."""
    add_image(film, "still", (1600, 900), "wide-still.png", order=0)
    add_image(film, "poster", (480, 720), "poster.png", order=5)
    stills = Film.objects.create(key="stills", title="Stills Only", published=True)
    add_image(stills, "still", (960, 540), "second.png", order=2)
    add_image(stills, "still", (960, 540), "first.png", order=1)
    bare = Film.objects.create(key="bare", title="Bare", published=True)
    FilmImage.objects.create(film=bare, kind="poster", source_url="https://example.org/poster.jpg")
    for index, item in enumerate((film, stills, bare)):
        Selection.objects.create(section=section, film=item, order=index)
        make_screening(local(2023, 11, 12, 10 + 3 * index), key=f"s-{item.key}", films=[item])
    saved_days_ago()
    return film, stills, bare


def test_programme_rows_show_each_films_poster_else_first_still_beside_its_title(client, three_screenings):
    html = client.get(PROGRAMME, DAY).content.decode()
    assert (
        f'<ul class="screening__films"><li>{card("screening__image", "poster", 480, 720, "eager")}'
        '<a href="/en/films/we-will-not-fade-away/">We Will Not Fade Away</a></li></ul>'
    ) in html
    assert (
        f'<ul class="screening__films"><li>{card("screening__image", "first", 960, 540, "eager")}'
        '<a href="/en/films/stills/">Stills Only</a></li></ul>'
    ) in html
    # No file, no picture: a neutral placeholder of the card's width, never a broken image.
    assert (
        '<ul class="screening__films"><li><span class="screening__image picture--none"></span>'
        '<a href="/en/films/bare/">Bare</a></li></ul>'
    ) in html
    assert "example.org" not in html


def test_pictures_below_the_first_two_rows_load_lazily(client, edition, section, make_screening):
    for index in range(4):
        item = Film.objects.create(key=f"f{index}", title=f"Film {index}", published=True)
        add_image(item, "poster", (200, 300), f"p{index}.png")
        make_screening(local(2023, 11, 12, 9 + 2 * index), key=f"s{index}", films=[item])
    saved_days_ago()
    html = client.get(PROGRAMME, DAY).content.decode()
    assert re.findall(r'<picture class="screening__image">.*?loading="(\w+)"', html) == [
        "eager",
        "eager",
        "lazy",
        "lazy",
    ]


def test_section_page_and_search_show_the_cards_thumbnails(client, three_screenings):
    html = client.get("/en/idfa-2023/sections/best-of-fests/").content.decode()
    assert re.findall(r'<li class="card">(<picture.*?</picture>|<span [^>]+></span>)<a href="([^"]+)"', html) == [
        (card("card__image", "poster", 480, 720, "eager"), "/en/films/we-will-not-fade-away/"),
        (card("card__image", "first", 960, 540, "eager"), "/en/films/stills/"),
        ('<span class="card__image picture--none"></span>', "/en/films/bare/"),
    ]
    html = client.get("/en/search/", {"q": "stills"}).content.decode()
    assert (
        f'<li class="card">{card("card__image", "first", 960, 540, "eager")}<a href="/en/films/stills/">Stills Only</a>'
    ) in html


def test_on_a_long_section_page_the_later_cards_load_lazily(client, edition, section):
    for index in range(3):
        item = Film.objects.create(key=f"f{index}", title=f"Film {index}", published=True)
        add_image(item, "still", (320, 180), f"s{index}.png")
        Selection.objects.create(section=section, film=item, order=index)
    html = client.get("/en/idfa-2023/sections/best-of-fests/").content.decode()
    assert re.findall(r'<picture class="card__image">.*?loading="(\w+)"', html) == ["eager", "eager", "lazy"]


# The film page --------------------------------------------------------------------------------------------------


def test_film_page_leads_with_its_still_at_display_size_and_shows_the_rest_below(client, three_screenings):
    film = three_screenings[0]
    add_image(film, "still", (640, 360), "later.png", order=7, caption_en="", caption_de="Später")
    html = client.get("/en/films/we-will-not-fade-away/").content.decode()
    lead_sizes = "(min-width: 76rem) 74rem, (min-width: 40rem) calc(100vw - 2rem), 100vw"
    widths = (160, 320, 640, 1280)
    assert (
        '<article class="film film--pictured">\n<div class="film__lead film__lead--still">'
        '<picture class="film__lead-picture">'
        f'<source type="image/webp" srcset="{srcset("wide-still", widths, "webp")}" '
        f'sizes="{lead_sizes}"><img src="{MEDIA}/wide-still-640.jpg" srcset="{srcset("wide-still", widths, "jpg")}" '
        f'sizes="{lead_sizes}" width="640" height="360" alt="Still from We Will Not Fade Away" loading="eager" '
        'fetchpriority="high" decoding="async"></picture></div>\n<header class="film__header">'
    ) in html
    # The poster beside the facts, the title and facts after the image; the other still in the gallery.
    assert html.index("film__lead") < html.index("<h1>") < html.index('class="film__poster"') < html.index("Runtime")
    poster_sizes = "(min-width: 64rem) 20rem, 7.5rem"
    assert (
        '<figure class="film__poster"><picture>'
        f'<source type="image/webp" srcset="{srcset("poster", (160, 320, 480), "webp")}" '
        f'sizes="{poster_sizes}"><img src="{MEDIA}/poster-480.jpg" srcset="{srcset("poster", (160, 320, 480), "jpg")}" '
        f'sizes="{poster_sizes}" width="480" height="720" alt="Poster for We Will Not Fade Away" loading="lazy" '
        'decoding="async"></picture></figure>'
    ) in html
    gallery_sizes = "(min-width: 40rem) 16rem, calc(50vw - 1.25rem)"
    assert (
        f'<ul class="stills"><li><a href="{MEDIA}/later-640.webp"><picture><source type="image/webp" '
        f'srcset="{srcset("later", (160, 320, 640), "webp")}" sizes="{gallery_sizes}"><img src="{MEDIA}/later-640.jpg" '
        f'srcset="{srcset("later", (160, 320, 640), "jpg")}" sizes="{gallery_sizes}" width="640" height="360" '
        'alt="Später" lang="de" loading="lazy" decoding="async"></picture></a></li></ul>'
    ) in html
    assert html.count("<img ") == 3


def test_a_film_without_a_stored_image_shows_no_picture_at_all(client, three_screenings):
    html = client.get("/en/films/bare/").content.decode()
    article = html[html.index("<article") : html.index("</article>")]
    assert "<img" not in article
    assert "<picture" not in article
    assert "film__lead" not in article
    assert "example.org" not in article


# Query counts ---------------------------------------------------------------------------------------------------


def pictured_films(section, count):
    """``count`` published films in ``section``, each with a poster and a still, each screened on 12 November."""
    from films.models import Screen

    films = []
    for index in range(count):
        item = Film.objects.create(key=f"pictured-{index}", title=f"Pictured {index}", published=True)
        add_image(item, "poster", (200, 300), f"poster-{index}.png")
        add_image(item, "still", (320, 180), f"still-{index}.png", order=1)
        Selection.objects.create(section=section, film=item, premiere="world", order=index)
        screen = Screen.objects.create(venue_id=Screen.objects.first().venue_id, key=f"x-{index}", name=f"X {index}")
        screening = Screening(
            edition=section.edition,
            section=section,
            screen=screen,
            key=f"pictured-{index}",
            starts_at=local(2023, 11, 12, 8 + index % 14),
            ends_at=local(2023, 11, 12, 8 + index % 14) + datetime.timedelta(minutes=90),
            published=True,
        )
        screening.save()
        screening.screening_films.create(film=item)
        ScreeningGuest.objects.create(
            screening=screening, person=Person.objects.create(key=f"g-{index}", name=f"G {index}"), qa=True
        )
        films.append(item)
    saved_days_ago()
    return films


@pytest.mark.parametrize("count", [1, 12])
def test_pictures_add_no_query_to_any_page(
    client, catalogue_film, edition, section, screen, count, django_assert_num_queries, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 11, 12, 6, tzinfo=datetime.UTC))
    add_image(catalogue_film, "poster", (200, 300), "example-poster.png")
    add_image(catalogue_film, "still", (320, 180), "example-still.png", order=1)
    pictured_films(section, count)
    pages = {
        f"{PROGRAMME}?day=2023-11-12": (7, count),  # the same as without pictures (test_pages_programme.py)
        "/en/films/we-will-not-fade-away/": (12, 1),  # test_pages_film.py
        "/en/idfa-2023/sections/best-of-fests/": (3, count + 1),  # test_pages_site.py
        "/en/search/?q=pictured": (4, count),
        "/en/": (6, count),
    }
    for url, (queries, pictures) in pages.items():
        with django_assert_num_queries(queries):
            html = client.get(url).content.decode()
        assert html.count("<picture") >= pictures, url
