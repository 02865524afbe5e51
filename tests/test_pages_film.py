"""The film page: everything a film has, in the page's language, drafts hidden, a pinned number of queries."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from films.models import (
    Award,
    AwardResult,
    Credit,
    Edition,
    Film,
    FilmImage,
    Person,
    Screening,
    ScreeningGuest,
    Section,
    Selection,
    Tag,
)
from tests.conftest import local, saved_days_ago, tiny_image

from .conftest import announce

URL = "/en/films/we-will-not-fade-away/"


def text_of(response):
    """The page's text with tags removed and whitespace folded, for exact phrase assertions."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_film_page_shows_titles_facts_and_credits(client, catalogue_film):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>We Will Not Fade Away</h1>" in html
    assert '<span lang="uk-Latn">My ne zgasnemo</span>' in html
    assert '<span lang="uk">Ми не згаснемо</span>' in html
    text = text_of(response)
    assert "Countries Ukraine, France, Poland" in text
    assert "Languages Ukrainian" in text
    assert "Runtime 100 minutes" in text
    assert "Form Documentary" in text
    assert "Age recommendation 12+" in text
    assert "Aspect ratio 1.85:1" in text
    assert "Picture format DCP" in text
    assert "Tags War" in text
    assert "Five teenagers on the front line dream of the Himalayas." in text
    assert "In the Donbas, five teenagers prepare for an expedition." in text
    assert '<span lang="en">Expedition 49</span> <span class="language">(English)</span>' in html
    assert '<span lang="uk">Експедиція 49</span>' in html
    # Credits in role order (director before editing, sound, producer), people linked, company named.
    assert "Director Alisa Kovalenko Editing Katarzyna Kuczyńska Sound Mariia Nesterenko Producer" in text
    assert '<a href="/en/people/valery-kalmykov/">Valery Kalmykov for Trueman Production</a>' in html
    assert "Production Trueman Production Co-production HAKA Films" in text


def test_film_page_lists_screening_in_edition_time_zone(client, catalogue_film):
    html = client.get("/de/films/we-will-not-fade-away/").content.decode()
    # Stored 18:15 UTC; shown 19:15 in Amsterdam.
    assert Screening.objects.get(key="wwnfa-1").starts_at == datetime.datetime(
        2023, 11, 12, 18, 15, tzinfo=datetime.UTC
    )
    assert '<time datetime="2023-11-12T19:15:00+01:00">12. November 2023, 19:15–20:55</time>' in html
    assert '<a href="/de/venues/example-cinema/">Example Cinema</a>, Example Cinema 1' in html
    assert '<a href="https://tickets.example/1" rel="external">' in html
    assert 'href="/de/idfa-2023/screenings/wwnfa-1.ics"' in html


def test_film_page_shows_history_selection_and_awards(client, catalogue_film, edition, section):
    announce(edition)
    award = Award.objects.create(
        edition=edition,
        section=Section.objects.create(
            edition=edition, key="competition", name="Competition", competitive=True, published=True
        ),
        key="best",
        name="Best Film",
    )
    Selection.objects.create(section=award.section, film=catalogue_film)
    AwardResult.objects.create(award=award, film=catalogue_film, kind="special-mention", citation="For courage.")
    response = client.get(URL)
    text = text_of(response)
    assert "IDFA 2023: Best of Fests · National premiere" in text
    assert "Berlin International Film Festival 2023: Generation 14plus · World premiere IDFA 2023" in text
    # Our own results and those elsewhere as laurels at the top, before the facts.
    assert (
        "Awards Special mention Best Film IDFA 2023 For courage. "
        "Special mention Berlin International Film Festival 2023 Alisa Kovalenko Year 2023"
    ) in text
    html = response.content.decode()
    assert '<a class="laurel__award" href="/en/awards/best/">Best Film</a>' in html
    assert '<li class="laurel laurel--mention">' in html


def test_film_page_names_countries_and_languages_in_ukrainian(client, catalogue_film):
    response = client.get("/uk/films/we-will-not-fade-away/")
    text = text_of(response)
    assert "Україна, Франція, Польща" in text
    assert "українська" in text
    assert "<h1>Ми не згаснемо</h1>" in response.content.decode()


def test_film_page_marks_title_falling_back_to_english(client, catalogue_film):
    html = client.get("/pl/films/we-will-not-fade-away/").content.decode()
    assert '<h1><span lang="en">We Will Not Fade Away</span></h1>' in html


def test_synopsis_only_in_polish_shows_on_german_page_with_lang(client, film):
    film.synopsis_en = ""
    film.synopsis_pl = "Pięcioro nastolatków."
    film.save()
    html = client.get("/de/films/we-will-not-fade-away/").content.decode()
    assert '<div class="film__synopsis" lang="pl"><p>Pięcioro nastolatków.</p></div>' in html


def test_film_without_any_display_title_falls_back_to_transliteration(client, db):
    Film.objects.create(key="untitled", title="", original_title="Ми", original_title_latin="My", published=True)
    html = client.get("/en/films/untitled/").content.decode()
    assert '<h1><span lang="und-Latn">My</span></h1>' in html


def test_tr_tag_marks_fallback_language_and_not_the_page_language(film):
    film.tagline_en = "English tagline"
    film.tagline_uk = "Український слоган"
    film.save()
    template = Template('{% load festival %}{% tr film "tagline" %}')
    with translation.override("uk"):
        assert template.render(Context({"film": film})) == "Український слоган"
    with translation.override("nl"):
        assert template.render(Context({"film": film})) == '<span lang="en">English tagline</span>'
    film.tagline_en = ""
    film.tagline_nl = ""
    with translation.override("de"):
        assert template.render(Context({"film": film})) == '<span lang="uk">Український слоган</span>'


def test_film_page_shows_images_with_alt_text_from_caption(client, film):
    FilmImage.objects.create(film=film, kind="poster", image=tiny_image(), caption="Poster of the film")
    FilmImage.objects.create(film=film, kind="still", image=tiny_image(), caption_en="", caption_uk="Кадр", order=1)
    html = client.get(URL).content.decode()
    # The still leads the page, its caption in Ukrainian only; the poster stands beside the facts.
    assert re.search(
        r'<div class="film__lead film__lead--still"><picture class="film__lead-picture">.*?'
        r'width="8" height="6" alt="Кадр" lang="uk" loading="eager" fetchpriority="high" decoding="async"></picture>',
        html,
    )
    assert re.search(
        r'<figure class="film__poster"><picture><source type="image/webp" srcset="[^"]+" sizes="[^"]+">'
        r'<img src="[^"]+" srcset="[^"]+" sizes="[^"]+" width="8" height="6" alt="Poster of the film" '
        r'loading="lazy" decoding="async"></picture></figure>',
        html,
    )
    # Both are shown once: no gallery of the others.
    assert 'id="images-heading"' not in html


def test_film_page_suggests_published_films_sharing_a_section_or_tag(client, catalogue_film, section):
    neighbour = Film.objects.create(key="neighbour", title="Neighbour", published=True)
    Selection.objects.create(section=section, film=neighbour, order=1)
    tagged = Film.objects.create(key="tagged", title="Tagged", published=True)
    tagged.tags.add(Tag.objects.get(key="war"))
    draft = Film.objects.create(key="draft", title="Draft film", published=False)
    Selection.objects.create(section=section, film=draft, order=2)
    unrelated = Film.objects.create(key="unrelated", title="Unrelated", published=True)
    html = client.get(URL).content.decode()
    suggestions = html.split('id="suggestions-heading"')[1]
    assert '<a href="/en/films/neighbour/">Neighbour</a>' in suggestions
    assert '<a href="/en/films/tagged/">Tagged</a>' in suggestions
    assert "Draft film" not in html
    assert unrelated.title not in html


def test_film_page_includes_json_ld(client, catalogue_film):
    html = client.get(URL).content.decode()
    assert '<script type="application/ld+json">' in html
    assert '"@type": "Movie"' in html


def test_unpublished_film_page_is_404(client, film):
    film.published = False
    film.save()
    assert client.get(URL).status_code == 404


def test_film_page_hides_draft_screenings_and_draft_editions(client, film, edition, make_screening, festival):
    make_screening(local(2023, 11, 12, 10), key="draft-screening", published=False)
    draft_edition = Edition.objects.create(
        festival=festival,
        key="idfa-2024",
        year=2024,
        name="IDFA 2024",
        start_date=datetime.date(2024, 11, 13),
        end_date=datetime.date(2024, 11, 24),
        timezone="Europe/Amsterdam",
        published=False,
    )
    draft_section = Section.objects.create(edition=draft_edition, key="secret", name="Secret section", published=True)
    Selection.objects.create(section=draft_section, film=film)
    make_screening(local(2024, 11, 14, 10), key="in-draft-edition", edition=draft_edition, section=draft_section)
    html = client.get(URL).content.decode()
    assert "draft-screening" not in html
    assert "in-draft-edition" not in html
    assert "Secret section" not in html
    assert "No screenings are scheduled." in html


def add_more(film, edition, section, make_screening, count):
    """More of everything the film page lists: credits, screenings, further titles, tags, images."""
    for index in range(count):
        person = Person.objects.create(key=f"extra-{index}", name=f"Extra {index}")
        Credit.objects.create(film=film, role="cast", person=person, order=index)
        film.tags.add(Tag.objects.create(key=f"tag-{index}", name=f"Tag {index}"))
        other = Film.objects.create(key=f"short-{index}", title=f"Short {index}", published=True)
        screening = make_screening(local(2023, 11, 9 + index, 12), key=f"more-{index}", films=[film, other])
        ScreeningGuest.objects.create(screening=screening, person=person, intro=True)
        FilmImage.objects.create(film=film, kind="still", image=tiny_image(), order=index)


@pytest.mark.parametrize("extra", [0, 4])
def test_film_page_query_count_does_not_grow(
    client, catalogue_film, edition, section, make_screening, extra, django_assert_num_queries
):
    add_more(catalogue_film, edition, section, make_screening, extra)
    saved_days_ago()
    # The film, then in one round trip: further titles, tags, credits, images, screenings, their guests,
    # selections, festival history, laurels, suggestions and the navigation's edition.
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
