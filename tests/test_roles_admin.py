"""Staff roles in the admin: what programmers, awards staff, translators and curators may see and change.

Every user here gets its rights only by joining a group the migration created (films/roles.py)."""

import datetime
import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse
from modeltranslation.translator import translator

from films.admin.common import TranslatorMixin
from films.models import Award, Film, FilmImage, JuryMember, Person, Screening, Section, Selection
from films.roles import AWARDS_STAFF, PROGRAMMERS, TRANSLATORS

from .conftest import tiny_image
from .test_admin_film import film_form, inline_rows
from .test_admin_screening import screening_form


def member_of(group, name=None):
    user = User.objects.create_user(name or group.lower().replace(" ", "-"), password="password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def programmer(db):
    return member_of(PROGRAMMERS)


@pytest.fixture
def awards_staff(db):
    return member_of(AWARDS_STAFF)


@pytest.fixture
def translator_user(db):
    return member_of(TRANSLATORS, "translator")


@pytest.fixture
def competition(edition):
    return Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True, order=1)


def login(client, user):
    client.force_login(user)
    return client


def film_change_form(film, **fields):
    """The film's change form as its page posts it, with no inline rows."""
    data = film_form(
        key=film.key,
        title_en=film.title_en,
        title_uk=film.title_uk or "",
        original_title=film.original_title,
        original_title_latin=film.original_title_latin,
        year=str(film.year),
        runtime_minutes=str(film.runtime_minutes),
    )
    data.update(fields)
    return data


# Programmers


def test_programmer_adds_and_changes_films(client, programmer, film):
    login(client, programmer)
    response = client.post(reverse("admin:films_film_add"), film_form(key="another-film", title_en="Another Film"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Film.objects.filter(key="another-film").exists()
    response = client.post(reverse("admin:films_film_change", args=[film.pk]), film_change_form(film, year="2022"))
    assert response.status_code == 302
    film.refresh_from_db()
    assert film.year == 2022


def test_programmer_adds_screenings(client, programmer, edition, section, screen, film):
    login(client, programmer)
    response = client.post(reverse("admin:films_screening_add"), screening_form(edition, screen, section, [film]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Screening.objects.get(key="evening").films.get() == film


def test_programmer_may_not_touch_award_results(client, programmer, competition):
    login(client, programmer)
    assert client.get(reverse("admin:films_awardresult_changelist")).status_code == 403
    assert client.get(reverse("admin:films_awardresult_add")).status_code == 403
    assert client.get(reverse("admin:films_award_results", args=[competition.pk])).status_code == 403
    assert client.post(reverse("admin:films_award_results", args=[competition.pk]), {}).status_code == 403


# Awards staff


def test_awards_staff_view_films_but_cannot_save_them(client, awards_staff, film):
    login(client, awards_staff)
    url = reverse("admin:films_film_change", args=[film.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="year"' not in response.content.decode()
    assert client.post(url, film_change_form(film, year="1999")).status_code == 403
    film.refresh_from_db()
    assert film.year == 2023
    assert client.get(reverse("admin:films_film_add")).status_code == 403


def test_awards_staff_edit_the_jury_of_a_competition_but_not_the_section(client, awards_staff, competition):
    alisa = Person.objects.create(key="alisa", name="Alisa Kovalenko")
    wim = Person.objects.create(key="wim", name="Wim Wenders")
    login(client, awards_staff)
    url = reverse("admin:films_section_change", args=[competition.pk])
    html = client.get(url).content.decode()
    assert 'name="jury-TOTAL_FORMS"' in html
    assert 'name="name_en"' not in html  # Everything about the section itself is read-only.
    rows = [{"person": alisa.pk, "role": "president", "order": 0}, {"person": wim.pk, "role": "member", "order": 1}]
    data = {**inline_rows("jury", rows), **inline_rows("selections", []), "name_en": "Renamed", "_save": "Save"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert [str(member) for member in competition.jury.all()] == ["Alisa Kovalenko (President)", "Wim Wenders (Member)"]
    competition.refresh_from_db()
    assert competition.name == "Competition"


def test_awards_staff_cannot_change_a_section_that_is_not_a_competition(client, awards_staff, section):
    login(client, awards_staff)
    url = reverse("admin:films_section_change", args=[section.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"_save": "Save"}).status_code == 403


def test_a_jury_gets_one_president_even_when_two_are_posted_at_once(client, awards_staff, competition):
    alisa = Person.objects.create(key="alisa", name="Alisa Kovalenko")
    wim = Person.objects.create(key="wim", name="Wim Wenders")
    login(client, awards_staff)
    rows = [{"person": alisa.pk, "role": "president", "order": 0}, {"person": wim.pk, "role": "president"}]
    data = {**inline_rows("jury", rows), **inline_rows("selections", []), "_save": "Save"}
    response = client.post(reverse("admin:films_section_change", args=[competition.pk]), data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][-1].formset.non_form_errors() == [
        "A jury has one president; Alisa Kovalenko, Wim Wenders are all marked as president."
    ]
    assert not JuryMember.objects.exists()


# Translators


def test_every_translated_model_admin_limits_translators_to_text():
    for model in translator.get_registered_models(abstract=False):
        assert isinstance(admin.site._registry[model], TranslatorMixin), model


def test_translator_changes_a_translated_title_and_nothing_else(client, translator_user, film):
    login(client, translator_user)
    url = reverse("admin:films_film_change", args=[film.pk])
    html = client.get(url).content.decode()
    assert 'name="title_uk"' in html
    assert 'name="year"' not in html
    assert 'name="runtime_minutes"' not in html
    data = film_change_form(film, title_uk="Ми не згаснемо", year="1999", runtime_minutes="5", key="renamed")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    film.refresh_from_db()
    assert film.title_uk == "Ми не згаснемо"
    assert (film.year, film.runtime_minutes, film.key) == (2023, 100, "we-will-not-fade-away")


def test_translator_cannot_add_or_delete_films(client, translator_user, film):
    login(client, translator_user)
    assert client.get(reverse("admin:films_film_add")).status_code == 403
    assert client.post(reverse("admin:films_film_add"), film_form(key="new-film")).status_code == 403
    assert not Film.objects.filter(key="new-film").exists()
    assert client.post(reverse("admin:films_film_delete", args=[film.pk]), {"post": "yes"}).status_code == 403
    assert Film.objects.filter(pk=film.pk).exists()


def test_translator_has_no_bulk_actions(client, translator_user, make_screening):
    make_screening(datetime.datetime(2023, 11, 12, 18, 15, tzinfo=datetime.UTC))
    login(client, translator_user)
    response = client.get(reverse("admin:films_screening_changelist"))
    assert response.status_code == 200
    assert response.context["action_form"] is None


def test_translator_edits_image_captions_but_adds_or_removes_no_images(client, translator_user, film):
    image = FilmImage.objects.create(film=film, kind="still", image=tiny_image(), caption="A still")
    login(client, translator_user)
    response = client.get(reverse("admin:films_film_change", args=[film.pk]))
    formsets = {item.formset.prefix: item for item in response.context["inline_admin_formsets"]}
    assert set(formsets) == {"images"}  # Titles, credits and the rest are not translators' business.
    images = formsets["images"]
    assert not images.has_add_permission
    assert not images.has_delete_permission
    assert set(images.formset.forms[0].fields) == {
        "id",
        "film",
        "caption_en",
        "caption_uk",
        "caption_pl",
        "caption_de",
        "caption_nl",
    }
    data = film_change_form(film)
    data.update(inline_rows("images", []))
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-INITIAL_FORMS": "1",
            "images-0-id": str(image.pk),
            "images-0-film": str(film.pk),
            "images-0-caption_en": "A still",
            "images-0-caption_uk": "Кадр",
            "images-0-kind": "poster",
            "images-0-order": "7",
        }
    )
    response = client.post(reverse("admin:films_film_change", args=[film.pk]), data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.caption_uk, image.kind, image.order) == ("Кадр", "still", 0)


def test_translator_changes_a_sections_texts_not_its_structure(client, translator_user, competition):
    login(client, translator_user)
    url = reverse("admin:films_section_change", args=[competition.pk])
    data = {
        "name_en": "Competition",
        "name_uk": "Конкурс",
        "jury_statement_en": "Unanimous.",
        "competitive": "",
        "key": "other",
        "_save": "Save",
    }
    assert client.post(url, data).status_code == 302
    competition.refresh_from_db()
    assert (competition.name_uk, competition.jury_statement, competition.competitive, competition.key) == (
        "Конкурс",
        "Unanimous.",
        True,
        "competition",
    )


# Curators


@pytest.fixture
def curator(programmer, competition):
    competition.curators.add(programmer)
    return programmer


def test_curator_sees_only_their_sections(client, curator, section, competition):
    login(client, curator)
    response = client.get(reverse("admin:films_section_changelist"))
    assert list(response.context["cl"].result_list) == [competition]
    other = client.get(reverse("admin:films_section_change", args=[section.pk]))
    assert other.status_code == 302
    assert other.url == reverse("admin:index")
    assert client.get(reverse("admin:films_section_change", args=[competition.pk])).status_code == 200


def test_curator_sees_only_selections_and_screenings_of_their_sections(
    client, curator, section, competition, film, make_screening
):
    other_film = Film.objects.create(key="other", title="Other")
    Selection.objects.create(section=section, film=film)
    mine = Selection.objects.create(section=competition, film=other_film)
    make_screening(datetime.datetime(2023, 11, 12, 18, tzinfo=datetime.UTC), key="theirs")
    make_screening(
        datetime.datetime(2023, 11, 13, 18, tzinfo=datetime.UTC),
        key="ours",
        section=competition,
    )
    login(client, curator)
    response = client.get(reverse("admin:films_selection_changelist"))
    assert list(response.context["cl"].result_list) == [mine]
    response = client.get(reverse("admin:films_screening_changelist"))
    assert [screening.key for screening in response.context["cl"].result_list] == ["ours"]


def test_curator_chooses_among_their_sections_only(client, curator, section, competition, edition, screen, film):
    login(client, curator)
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "films", "model_name": "screening", "field_name": "section", "term": ""},
    )
    assert [item["id"] for item in json.loads(autocomplete.content)["results"]] == [str(competition.pk)]
    response = client.post(reverse("admin:films_screening_add"), screening_form(edition, screen, section, [film]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["section"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Screening.objects.exists()


def test_programmer_curating_nothing_sees_every_section(client, programmer, section, competition):
    login(client, programmer)
    response = client.get(reverse("admin:films_section_changelist"))
    assert set(response.context["cl"].result_list) == {section, competition}


def test_only_an_administrator_assigns_curators(client, admin_client, programmer, competition):
    assert (
        'name="curators"'
        in admin_client.get(reverse("admin:films_section_change", args=[competition.pk])).content.decode()
    )
    login(client, programmer)
    assert (
        'name="curators"'
        not in client.get(reverse("admin:films_section_change", args=[competition.pk])).content.decode()
    )


def test_awards_may_go_to_competitions_only(admin_client, edition, section, competition):
    response = admin_client.post(
        reverse("admin:films_award_add"),
        {
            "edition": edition.pk,
            "section": section.pk,
            "key": "best",
            "name_en": "Best",
            "recipient": "film",
            "order": 0,
            **inline_rows("results", []),
        },
    )
    assert response.context["adminform"].form.errors["section"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Award.objects.exists()
