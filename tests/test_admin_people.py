"""People and companies in the admin: found by any alias, and duplicates merged without losing anything."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from films.models import (
    Award,
    AwardResult,
    Company,
    CompanyAlias,
    Credit,
    FilmographyEntry,
    Person,
    PersonAlias,
    Selection,
)

CHANGELIST = "/admin/films/person/"


@pytest.fixture
def duplicates(film, section):
    """Mariia Nesterenko twice: once as in the catalogue, once as a second source spells her."""
    section.competitive = True
    section.save()
    Selection.objects.create(section=section, film=film)
    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko", born_year=1990)
    maria = Person.objects.create(
        key="maria-nesterenko", name="Maria Nesterenko", born_place="Kyiv", bio="Sound designer."
    )
    PersonAlias.objects.create(person=maria, name="Marija Nesterenko")
    Credit.objects.create(film=film, role="sound", person=maria)
    FilmographyEntry.objects.create(person=maria, year=2023, title="My ne zgasnemo", film=film)
    award = Award.objects.create(edition=section.edition, section=section, key="best-sound", name="Best sound")
    AwardResult.objects.create(award=award, film=film, person=maria)
    return mariia, maria


def test_merging_two_people_asks_which_to_keep_then_moves_everything(admin_client, duplicates, film):
    mariia, maria = duplicates
    selected = {"action": "merge_people", "_selected_action": [mariia.pk, maria.pk]}
    confirmation = admin_client.post(CHANGELIST, selected)
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "Choose the record to keep." in html
    assert f'value="{mariia.pk}"' in html
    assert f'value="{maria.pk}"' in html
    assert Person.objects.count() == 2  # Nothing happens before the programmer confirms.

    response = admin_client.post(CHANGELIST, {**selected, "post": "yes", "keep": mariia.pk}, follow=True)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Merged 1 person into “Mariia Nesterenko”."]
    assert list(Person.objects.values_list("key", flat=True)) == ["mariia-nesterenko"]
    mariia.refresh_from_db()
    assert list(film.credits.values_list("role", "person__key")) == [("sound", "mariia-nesterenko")]
    assert list(mariia.filmography.values_list("title", flat=True)) == ["My ne zgasnemo"]
    assert list(AwardResult.objects.values_list("person__key", flat=True)) == ["mariia-nesterenko"]
    assert sorted(mariia.aliases.values_list("name", flat=True)) == ["Maria Nesterenko", "Marija Nesterenko"]
    assert (mariia.born_year, mariia.born_place, mariia.bio) == (1990, "Kyiv", "Sound designer.")
    assert PersonAlias.objects.count() == 2


def test_merge_refuses_without_a_choice_of_record_to_keep(admin_client, duplicates):
    mariia, maria = duplicates
    response = admin_client.post(
        CHANGELIST, {"action": "merge_people", "_selected_action": [mariia.pk, maria.pk], "post": "yes"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"keep": ["This field is required."]}
    assert Person.objects.count() == 2


def test_merging_one_person_says_two_are_needed(admin_client, duplicates):
    mariia, _maria = duplicates
    response = admin_client.post(CHANGELIST, {"action": "merge_people", "_selected_action": [mariia.pk]}, follow=True)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Select at least two people to merge; you selected only one."
    ]
    assert Person.objects.count() == 2


@pytest.mark.parametrize("term", ["Nesterenko", "Marija"])
def test_person_search_finds_names_and_aliases(admin_client, duplicates, term):
    response = admin_client.get(CHANGELIST, {"q": term})
    expected = {"Nesterenko": ["maria-nesterenko", "mariia-nesterenko"], "Marija": ["maria-nesterenko"]}[term]
    assert [person.key for person in response.context["cl"].result_list] == expected


def test_company_search_finds_aliases(admin_client):
    haka = Company.objects.create(key="haka-films", name="HAKA Films")
    CompanyAlias.objects.create(company=haka, name="HAKA Films Warschau")
    Company.objects.create(key="tvp", name="TVP")
    response = admin_client.get(reverse("admin:films_company_changelist"), {"q": "Warschau"})
    assert [company.key for company in response.context["cl"].result_list] == ["haka-films"]


@pytest.mark.parametrize("count", [1, 5])
def test_person_changelist_query_count_does_not_grow(admin_client, film, count, django_assert_num_queries):
    for n in range(count):
        person = Person.objects.create(key=f"person-{n}", name=f"Person {n}")
        PersonAlias.objects.create(person=person, name=f"Alias {n}")
        Credit.objects.create(film=film, role="cast", person=person)
    # session, user, count, total, rows (with their credit counts), aliases
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == count
    assert "Alias 0" in response.content.decode()
