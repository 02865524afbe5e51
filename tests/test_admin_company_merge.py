"""Companies entered twice, merged in the admin: credits and aliases move to the record kept, nothing is lost."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages

from films.models import Company, CompanyAlias, CompanyCredit, Credit, Film, Person

CHANGELIST = "/admin/films/company/"


@pytest.fixture
def duplicates(film):
    """Trueman Production three times over, credited on two films, and HAKA Films, which stays apart."""
    second = Film.objects.create(key="second-film", title="Second Film", published=True)
    trueman = Company.objects.create(key="trueman-production", name="Trueman Production", country="UA")
    CompanyAlias.objects.create(company=trueman, name="Trueman Production LLC")
    prod = Company.objects.create(key="trueman-prod", name="Trueman Prod.", city="Kyiv")
    CompanyAlias.objects.create(company=prod, name="TRUEMAN")
    CompanyAlias.objects.create(company=prod, name="Trueman Production")  # the kept record's own name
    true_man = Company.objects.create(key="true-man", name="True Man Production", city="Lviv", country="PL")
    CompanyAlias.objects.create(company=true_man, name="Trueman Prod.")  # another duplicate's name
    haka = Company.objects.create(key="haka-films", name="HAKA Films", country="PL")
    CompanyCredit.objects.create(film=film, role="production", company=trueman, order=0)
    CompanyCredit.objects.create(film=film, role="production", company=prod, order=3)  # the same credit again
    CompanyCredit.objects.create(film=film, role="co-production", company=prod, order=1)
    CompanyCredit.objects.create(film=film, role="co-production", company=haka, order=2)
    CompanyCredit.objects.create(film=second, role="world-sales", company=true_man, order=0)
    CompanyCredit.objects.create(film=second, role="production", company=prod, order=0)
    CompanyCredit.objects.create(film=second, role="production", company=true_man, order=1)  # twice among the others
    valery = Person.objects.create(key="valery-kalmykov", name="Valery Kalmykov")
    alisa = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    Credit.objects.create(film=film, role="producer", person=valery, company=prod)
    Credit.objects.create(film=second, role="producer", person=alisa, company=true_man)
    Credit.objects.create(film=second, role="co-producer", person=valery, company=haka)
    return trueman, prod, true_man, haka


def selected(*companies, **extra):
    return {"action": "merge_companies", "_selected_action": [company.pk for company in companies], **extra}


def company_credits():
    return sorted(CompanyCredit.objects.values_list("film__key", "role", "company__key", "order"))


def person_credits():
    return sorted(Credit.objects.values_list("film__key", "role", "person__key", "company__key"))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


MERGED_CREDITS = [
    # Merged in name order: True Man Production's production credit moves, then Trueman Prod.'s is the same.
    ("second-film", "production", "trueman-production", 1),
    ("second-film", "world-sales", "trueman-production", 0),
    ("we-will-not-fade-away", "co-production", "haka-films", 2),
    ("we-will-not-fade-away", "co-production", "trueman-production", 1),
    ("we-will-not-fade-away", "production", "trueman-production", 0),
]
MERGED_PERSON_CREDITS = [
    ("second-film", "co-producer", "valery-kalmykov", "haka-films"),
    ("second-film", "producer", "alisa-kovalenko", "trueman-production"),
    ("we-will-not-fade-away", "producer", "valery-kalmykov", "trueman-production"),
]


def test_merge_asks_which_record_to_keep_and_changes_nothing_before(admin_client, duplicates):
    trueman, prod, true_man, _haka = duplicates
    before = (company_credits(), person_credits())
    response = admin_client.post(CHANGELIST, selected(trueman, prod, true_man))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are merging 3 records of the same company." in html
    assert "Choose the record to keep." in html
    rows = re.findall(
        r"<tr>\s*<td><a href=\"[^\"]+\">([^<]+)</a></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
        r"<td>([^<]*)</td>\s*<td>([^<]*)</td>",
        html,
    )
    assert rows == [
        ("True Man Production", "true-man", "Poland", "2", "1"),
        ("Trueman Prod.", "trueman-prod", "–", "3", "1"),
        ("Trueman Production", "trueman-production", "Ukraine", "1", "0"),
    ]
    for company in (trueman, prod, true_man):
        assert f'<input type="radio" name="keep" value="{company.pk}"' in html
        assert f'<input type="hidden" name="_selected_action" value="{company.pk}">' in html
    assert '<input type="hidden" name="action" value="merge_companies">' in html
    assert "Trueman Production (key “trueman-production”, 1 credits)" in html
    assert Company.objects.count() == 4
    assert (company_credits(), person_credits()) == before


def test_merge_moves_credits_and_aliases_resolves_duplicates_and_deletes_the_others(admin_client, duplicates):
    trueman, prod, true_man, haka = duplicates
    response = admin_client.post(
        CHANGELIST, selected(trueman, prod, true_man, post="yes", keep=trueman.pk), follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == ["Merged 2 companies into “Trueman Production”."]
    assert sorted(Company.objects.values_list("key", flat=True)) == ["haka-films", "trueman-production"]
    assert company_credits() == MERGED_CREDITS
    assert person_credits() == MERGED_PERSON_CREDITS
    trueman.refresh_from_db()
    assert sorted(trueman.aliases.values_list("name", flat=True)) == [
        "TRUEMAN",
        "True Man Production",
        "Trueman Prod.",
        "Trueman Production LLC",
    ]
    assert CompanyAlias.objects.count() == 4  # none left behind on the deleted records, none for HAKA
    # The kept record's facts win; its gaps are filled from the others, the first merged (by name) first.
    assert (trueman.name, trueman.country, trueman.city) == ("Trueman Production", "UA", "Lviv")
    haka.refresh_from_db()
    assert (haka.name, list(haka.aliases.all())) == ("HAKA Films", [])


def test_each_merge_is_logged_on_the_kept_company(admin_client, admin_user, duplicates):
    trueman, prod, true_man, _haka = duplicates
    admin_client.post(CHANGELIST, selected(trueman, prod, true_man, post="yes", keep=trueman.pk))
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Company), object_id=str(trueman.pk)
    ).order_by("id")
    assert [(entry.action_flag, entry.user, entry.get_change_message()) for entry in entries] == [
        (CHANGE, admin_user, "Merged True Man Production (key “true-man”) into this company."),
        (CHANGE, admin_user, "Merged Trueman Prod. (key “trueman-prod”) into this company."),
    ]


def test_merge_keeps_the_chosen_record_whichever_it_is(admin_client, duplicates):
    trueman, prod, _true_man, _haka = duplicates
    response = admin_client.post(CHANGELIST, selected(trueman, prod, post="yes", keep=prod.pk), follow=True)
    assert messages_of(response) == ["Merged 1 company into “Trueman Prod.”."]
    prod.refresh_from_db()
    assert sorted(Company.objects.values_list("key", flat=True)) == ["haka-films", "true-man", "trueman-prod"]
    assert sorted(prod.aliases.values_list("name", flat=True)) == [
        "TRUEMAN",
        "Trueman Production",
        "Trueman Production LLC",
    ]
    assert (prod.city, prod.country) == ("Kyiv", "UA")
    # The film credited both in production keeps one credit: the kept record's (its order).
    assert sorted(CompanyCredit.objects.filter(company=prod).values_list("film__key", "role", "order")) == [
        ("second-film", "production", 0),
        ("we-will-not-fade-away", "co-production", 1),
        ("we-will-not-fade-away", "production", 3),
    ]


def test_merging_one_company_says_two_are_needed(admin_client, duplicates):
    trueman, *_others = duplicates
    response = admin_client.post(CHANGELIST, selected(trueman), follow=True)
    assert messages_of(response) == ["Select at least two companies to merge; you selected only one."]
    assert Company.objects.count() == 4


def test_merge_refuses_without_a_choice_or_with_a_record_not_selected(admin_client, duplicates):
    trueman, prod, _true_man, haka = duplicates
    response = admin_client.post(CHANGELIST, selected(trueman, prod, post="yes"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"keep": ["This field is required."]}
    response = admin_client.post(CHANGELIST, selected(trueman, prod, post="yes", keep=haka.pk))
    assert response.context["form"].errors == {
        "keep": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Company.objects.count() == 4


def test_a_merge_failing_halfway_changes_nothing(admin_client, duplicates, monkeypatch):
    trueman, prod, true_man, _haka = duplicates
    before = (company_credits(), person_credits(), sorted(CompanyAlias.objects.values_list("company__key", "name")))
    real_merge = Company.merge
    calls = []

    def merge_then_fail(self, other):
        calls.append(other.key)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_merge(self, other)

    monkeypatch.setattr(Company, "merge", merge_then_fail)
    with pytest.raises(RuntimeError):
        admin_client.post(CHANGELIST, selected(trueman, prod, true_man, post="yes", keep=trueman.pk))
    assert calls == ["true-man", "trueman-prod"]
    assert Company.objects.count() == 4
    assert (
        company_credits(),
        person_credits(),
        sorted(CompanyAlias.objects.values_list("company__key", "name")),
    ) == before
    assert not LogEntry.objects.exists()


def offered_actions(client, url):
    """The actions the changelist at ``url`` offers (none: no action form at all)."""
    page = client.get(url)
    assert page.status_code == 200
    action_form = page.context["action_form"]
    return [value for value, _label in action_form.fields["action"].choices] if action_form else []


def staff_with(*codenames):
    user = User.objects.create_user("programmer", password="a-long-passphrase", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="films", codename__in=codenames))
    return user


@pytest.mark.parametrize(
    "codenames",
    [("view_company",), ("view_company", "change_company"), ("view_company", "delete_company")],
)
def test_only_users_who_may_change_and_delete_companies_can_merge_them(client, duplicates, codenames):
    trueman, prod, *_others = duplicates
    client.force_login(staff_with(*codenames))
    assert "merge_companies" not in offered_actions(client, CHANGELIST)
    response = client.post(CHANGELIST, selected(trueman, prod, post="yes", keep=trueman.pk), follow=True)
    assert "Merged" not in " ".join(messages_of(response))
    assert Company.objects.count() == 4
    assert sorted(CompanyCredit.objects.values_list("company__key", flat=True)) == [
        "haka-films",
        "true-man",
        "true-man",
        "trueman-prod",
        "trueman-prod",
        "trueman-prod",
        "trueman-production",
    ]


def test_a_user_who_may_change_and_delete_companies_merges_them(client, duplicates):
    trueman, prod, *_others = duplicates
    client.force_login(staff_with("view_company", "change_company", "delete_company"))
    page = client.get(CHANGELIST)
    choices = dict(page.context["action_form"].fields["action"].choices)
    assert choices["merge_companies"] == "Merge selected companies"
    response = client.post(CHANGELIST, selected(trueman, prod, post="yes", keep=trueman.pk), follow=True)
    assert messages_of(response) == ["Merged 1 company into “Trueman Production”."]
    assert sorted(Company.objects.values_list("key", flat=True)) == ["haka-films", "true-man", "trueman-production"]


# The model's merge, without the admin ------------------------------------------------------------------------


def test_company_merge_directly_loses_nothing(duplicates):
    trueman, prod, true_man, _haka = duplicates
    trueman.merge(true_man)
    trueman.merge(prod)
    assert company_credits() == MERGED_CREDITS
    assert person_credits() == MERGED_PERSON_CREDITS
    assert sorted(trueman.aliases.values_list("name", flat=True)) == [
        "TRUEMAN",
        "True Man Production",
        "Trueman Prod.",
        "Trueman Production LLC",
    ]
    trueman.refresh_from_db()
    assert (trueman.city, trueman.country) == ("Lviv", "UA")  # the first merged record filled the gap


def test_a_company_cannot_be_merged_into_itself(duplicates):
    trueman, *_others = duplicates
    with pytest.raises(ValueError, match=r"^A company cannot be merged into itself\.$"):
        trueman.merge(Company.objects.get(pk=trueman.pk))
    assert Company.objects.filter(pk=trueman.pk).exists()


def test_the_person_merge_uses_the_same_confirmation_page(admin_client, film):
    first = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko", born_year=1990)
    second = Person.objects.create(key="maria-nesterenko", name="Maria Nesterenko")
    Credit.objects.create(film=film, role="sound", person=second)
    response = admin_client.post(
        "/admin/films/person/", {"action": "merge_people", "_selected_action": [first.pk, second.pk]}
    )
    assert response.templates[0].name == "admin/films/merge.html"
    html = response.content.decode()
    assert "You are merging 2 records of the same person." in html
    assert '<input type="hidden" name="action" value="merge_people">' in html
    rows = re.findall(
        r"<tr>\s*<td><a href=\"[^\"]+\">([^<]+)</a></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
        r"<td>([^<]*)</td>\s*<td>([^<]*)</td>",
        html,
    )
    assert rows == [
        ("Maria Nesterenko", "maria-nesterenko", "–", "1", "0"),
        ("Mariia Nesterenko", "mariia-nesterenko", "1990", "0", "0"),
    ]


@pytest.mark.parametrize("codenames", [("view_person", "change_person"), ("view_person", "delete_person")])
def test_the_person_merge_too_needs_change_and_delete(client, film, codenames):
    first = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    second = Person.objects.create(key="maria-nesterenko", name="Maria Nesterenko")
    client.force_login(staff_with(*codenames))
    assert "merge_people" not in offered_actions(client, "/admin/films/person/")
    client.post(
        "/admin/films/person/",
        {"action": "merge_people", "_selected_action": [first.pk, second.pk], "post": "yes", "keep": first.pk},
    )
    assert Person.objects.count() == 2
