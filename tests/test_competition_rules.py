"""Juries, awards and results: the rules, the embargo query, and the staff groups every database starts with."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from films.models import Award, AwardResult, Credit, JuryMember, Person, Section, Selection


@pytest.fixture
def competition(edition):
    return Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)


@pytest.fixture
def director(film):
    person = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    Credit.objects.create(film=film, role="director", person=person)
    return person


def messages(instance):
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    return error.value.message_dict


def codes(instance):
    """``{field: [the codes of its errors]}``: what a form or an API client tells errors apart by."""
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    return {field: [item.code for item in errors] for field, errors in error.value.error_dict.items()}


def test_a_jury_has_one_president(competition, director, django_assert_num_queries):
    JuryMember.objects.create(section=competition, person=director, role="president")
    other = Person.objects.create(key="someone", name="Someone Else")
    second = JuryMember(section=competition, person=other, role="president")
    # The president with their name: one query (the section is the one given).
    with django_assert_num_queries(1), pytest.raises(ValidationError):
        second.clean()
    assert messages(second)["role"] == ["Alisa Kovalenko already presides over this jury; a jury has one president."]
    assert codes(second) == {"role": ["second_president"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_only_a_competition_has_a_jury(section, director):
    member = JuryMember(section=section, person=director)
    assert messages(member)["section"] == ["“Best of Fests” is not competitive; only competitions have a jury."]
    assert codes(member) == {"section": ["not_competitive"]}


def test_only_a_competition_has_awards(edition, section):
    award = Award(edition=edition, section=section, key="best-film", name="Best Film")
    assert messages(award) == {
        "section": ["“Best of Fests” is not competitive; awards belong to a competitive section."]
    }
    assert codes(award) == {"section": ["not_competitive"]}


def test_an_awards_section_belongs_to_its_edition(edition, competition, next_edition):
    other = next_edition
    award = Award(edition=other, section=competition, key="best-film", name="Best Film")
    assert messages(award) == {"section": ["The section “Competition” belongs to another edition."]}
    assert codes(award) == {"section": ["section_edition"]}
    Award(edition=edition, section=competition, key="best-film", name="Best Film").full_clean()


def test_a_person_award_names_a_person_credited_on_the_film(edition, competition, film, director):
    Selection.objects.create(section=competition, film=film)
    award = Award.objects.create(
        edition=edition, section=competition, key="best-director", name="Best Director", recipient="person"
    )
    assert messages(AwardResult(award=award, film=film)) == {
        "person": ["“Best Director” goes to a person: choose who."]
    }
    assert codes(AwardResult(award=award, film=film)) == {"person": ["person_required"]}
    AwardResult(award=award, film=film, person=director).full_clean()
    stranger = Person.objects.create(key="someone", name="Someone Else")
    assert messages(AwardResult(award=award, film=film, person=stranger)) == {
        "person": ["Someone Else is not credited on “We Will Not Fade Away”."]
    }
    assert codes(AwardResult(award=award, film=film, person=stranger)) == {"person": ["person_not_credited"]}
    film_award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    assert messages(AwardResult(award=film_award, film=film, person=director)) == {
        "person": ["“Best Film” goes to a film; leave the person empty."]
    }
    assert codes(AwardResult(award=film_award, film=film, person=director)) == {"person": ["person_not_allowed"]}


def test_an_award_goes_to_a_film_selected_in_its_competition(edition, competition, section, film):
    """Selected in another section of the edition is not enough."""
    Selection.objects.create(section=section, film=film)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    result = AwardResult(award=award, film=film)
    assert messages(result) == {
        "film": ["“We Will Not Fade Away” is not selected in “Competition”, so it cannot receive “Best Film”."]
    }
    assert codes(result) == {"film": ["film_not_selected"]}
    # Without a film, only that it is missing.
    assert messages(AwardResult(award=award)) == {"film": ["This field cannot be null."]}
    Selection.objects.create(section=competition, film=film)
    result.full_clean()


def test_one_winner_per_award_unless_ex_aequo(edition, competition, film, django_assert_num_queries):
    other_film = film.__class__.objects.create(key="another-film", title="Another Film", published=True)
    for item in (film, other_film):
        Selection.objects.create(section=competition, film=item)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    AwardResult.objects.create(award=award, film=film, kind="winner")
    second = AwardResult(award=award, film=other_film, kind="winner")
    # The selection, then the winner with its film: two queries (the award is the one given).
    with django_assert_num_queries(2), pytest.raises(ValidationError):
        second.clean()
    second = AwardResult(award=award, film=other_film, kind="winner")
    assert messages(second)["kind"] == [
        "“Best Film” already has a winner (We Will Not Fade Away) and does not allow ex aequo."
    ]
    assert codes(second) == {"kind": ["second_winner"]}
    AwardResult(award=award, film=other_film, kind="special-mention").full_clean()
    award.ex_aequo = True
    award.save()
    second.award = award
    second.full_clean()


def test_results_are_announced_at_the_competitions_time_or_else_the_editions(edition, competition, film):
    Selection.objects.create(section=competition, film=film)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    result = AwardResult.objects.create(award=award, film=film)
    ceremony = datetime.datetime(2023, 11, 18, 19, 0, tzinfo=datetime.UTC)
    before, after = ceremony - datetime.timedelta(minutes=1), ceremony + datetime.timedelta(minutes=1)

    assert list(AwardResult.objects.public(after)) == []  # no announcement time yet: staff only
    edition.results_announced_at = ceremony
    edition.save()
    assert list(AwardResult.objects.public(before)) == []
    assert list(AwardResult.objects.public(after)) == [result]

    competition.results_announced_at = ceremony + datetime.timedelta(days=1)
    competition.save()
    assert list(AwardResult.objects.public(after)) == []
    assert competition.announcement_time == ceremony + datetime.timedelta(days=1)


def test_every_database_starts_with_the_staff_groups(db):
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(groups) == {"Programmers", "Awards staff", "Translators"}
    codenames = {name: {p.codename for p in group.permissions.all()} for name, group in groups.items()}
    assert {"change_film", "add_screening", "change_structure"} <= codenames["Programmers"]
    assert not {c for c in codenames["Programmers"] if c.endswith(("awardresult", "jurymember", "_award"))}
    assert {"view_film", "add_awardresult", "change_awardresult", "change_jurymember"} <= codenames["Awards staff"]
    assert not {c for c in codenames["Awards staff"] if c.startswith(("add_film", "change_film", "delete_"))}
    assert {"change_film", "change_section", "change_person"} <= codenames["Translators"]
    assert not {c for c in codenames["Translators"] if c.startswith(("add_", "delete_"))}
    assert "change_structure" not in codenames["Translators"]


def test_public_results_are_announced_results_of_published_films_in_published_editions(edition, competition, film):
    """``AwardResult.objects.public()``: what every public channel may show (pages, feeds, exports)."""
    moment = datetime.datetime(2023, 11, 20, tzinfo=datetime.UTC)
    Selection.objects.create(section=competition, film=film)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    result = AwardResult.objects.create(award=award, film=film)
    assert list(AwardResult.objects.public(moment)) == [result]
    # Before the end of the edition's last day (no announcement time set): still under embargo.
    assert list(AwardResult.objects.public(datetime.datetime(2023, 11, 19, 12, tzinfo=datetime.UTC))) == []
    edition.published = False
    edition.save()
    assert list(AwardResult.objects.announced(moment)) == [result]
    assert list(AwardResult.objects.public(moment)) == []
    edition.published = True
    edition.save()
    film.published = False
    film.save()
    assert list(AwardResult.objects.public(moment)) == []
