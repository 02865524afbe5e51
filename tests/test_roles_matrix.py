"""Every role against every admin page that writes: a GET and a POST each, and either allowed (the change is
made) or refused (and nothing at all is written).

The POST data for each record is what a browser would send from the superuser's form of that record, with
one structural field (a year, an order, a key) and one translated text changed. The superuser's own cell
proves the data is valid, so that a refusal is the role's doing and not a bad form's.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from films.models import (
    Award,
    AwardResult,
    Company,
    CompanyAlias,
    CompanyCredit,
    Credit,
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmCopy,
    FilmImage,
    FilmographyEntry,
    FilmTitle,
    JuryMember,
    Person,
    PersonAlias,
    Screening,
    ScreeningFilm,
    ScreeningGuest,
    Section,
    Selection,
    Tag,
    TravelTime,
    Venue,
)
from films.roles import AWARDS_STAFF, PROGRAMMERS, TRANSLATORS

from .admin_forms import form_data
from .conftest import tiny_image

# What each role may do, written out here rather than derived from films/roles.py, so that a change to the
# rules there must be made on purpose in both places.
PROGRAMME = {
    "festival",
    "edition",
    "section",
    "venue",
    "screen",
    "film",
    "filmtitle",
    "filmimage",
    "tag",
    "selection",
    "festivalhistoryentry",
    "festivalhistoryaward",
    "person",
    "personalias",
    "filmographyentry",
    "company",
    "companyalias",
    "credit",
    "companycredit",
    "screening",
    "screeningfilm",
    "screeningguest",
    "filmcopy",
    "traveltime",
}
RESULTS = {"jurymember", "award", "awardresult"}
TRANSLATED = {
    "festival",
    "edition",
    "section",
    "venue",
    "tag",
    "film",
    "filmimage",
    "person",
    "screening",
    "award",
    "awardresult",
}
# Records of the fixture that lie in a section the curator does not curate.
OUTSIDE_CURATED = {"section", "selection", "screening", "screeningfilm", "screeningguest"}

FULL, TEXT, VIEW, NONE, HIDDEN = "full", "text", "view", "none", "hidden"


def test_each_staff_group_holds_exactly_the_permissions_its_work_needs(db):
    """The groups' permissions, to the last one: a view permission dropped from a role changes nothing the matrix
    sees (the admin treats change as implying view), so it is pinned here."""
    expected = {
        PROGRAMMERS: {f"{action}_{model}" for model in PROGRAMME for action in ("add", "change", "delete", "view")}
        | {"change_structure"},
        AWARDS_STAFF: {f"view_{model}" for model in PROGRAMME}
        | {f"{action}_{model}" for model in RESULTS for action in ("add", "change", "view")},
        TRANSLATORS: {f"{action}_{model}" for model in TRANSLATED for action in ("change", "view")},
    }
    held = {
        group.name: {(permission.content_type.app_label, permission.codename) for permission in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }
    assert held == {name: {("films", codename) for codename in codenames} for name, codenames in expected.items()}
    assert len(held[PROGRAMMERS]) == 24 * 4 + 1


def expected(role, model):
    """``(change, add, delete)`` for ``role`` on ``model``'s records: FULL, TEXT (translated text only), VIEW
    (read-only page), NONE (403) or HIDDEN (not in the user's list: the admin answers as for a missing record)."""
    if role == "superuser":
        return FULL, True, True
    if role == "programmer":
        return (FULL, True, True) if model in PROGRAMME else (NONE, False, False)
    if role == "curator":
        if model in OUTSIDE_CURATED:
            return HIDDEN, model == "section", False  # A curator may add a section, not fill others'.
        return (FULL, True, True) if model in PROGRAMME else (NONE, False, False)
    if role == "awards":
        if model in RESULTS:
            return FULL, True, False
        return (VIEW, False, False) if model in PROGRAMME else (NONE, False, False)
    if role == "translator":
        return (TEXT, False, False) if model in TRANSLATED else (NONE, False, False)
    return NONE, False, False  # staff in no group


ROLES = ["superuser", "programmer", "curator", "awards", "translator", "nobody"]


# One record of every kind, the structural field changed in the matrix, its new value, a translated field
# (or None), and what makes an added copy unique.
def records(world):
    w = world
    return {
        "festival": (w["festival"], "city", "Rotterdam", "name_uk", {"key": "copy"}),
        "edition": (w["edition"], "key", "idfa-2023-renamed", "name_uk", {"key": "copy"}),
        "section": (w["section"], "order", "9", "name_uk", {"key": "copy"}),
        "venue": (w["venue"], "city", "Rotterdam", "accessibility_uk", {"key": "copy"}),
        "screen": (w["screen"], "capacity", "99", None, {"key": "copy"}),
        "jurymember": (w["jury"], "order", "9", None, {"person": w["other_person"].pk}),
        "award": (w["award"], "order", "9", "name_uk", {"key": "copy"}),
        "awardresult": (
            w["result"],
            "order",
            "9",
            "citation_uk",
            {"film": w["other_film"].pk, "kind": "special-mention"},
        ),
        "film": (w["film"], "year", "2001", "title_uk", {"key": "copy"}),
        "tag": (w["tag"], "key", "war-renamed", "name_uk", {"key": "copy"}),
        "filmtitle": (w["title"], "order", "9", None, {"language": "pl"}),
        "filmimage": (w["image"], "order", "9", "caption_uk", {}),
        "selection": (w["selection"], "order", "9", None, {"film": w["other_film"].pk}),
        "festivalhistoryentry": (w["history"], "order", "9", None, {"year": "2022"}),
        "festivalhistoryaward": (w["history_award"], "order", "9", None, {"name": "Grand Prix"}),
        "person": (w["person"], "born_year", "1980", "bio_uk", {"key": "copy"}),
        "personalias": (w["alias"], "name", "M. Nesterenko", None, {"name": "Mariia N."}),
        "filmographyentry": (w["filmography"], "order", "9", None, {"title": "Copy"}),
        "company": (w["company"], "city", "Kyiv", None, {"key": "copy"}),
        "companyalias": (w["company_alias"], "name", "Trueman", None, {"name": "Trueman Prod."}),
        "credit": (w["credit"], "order", "9", None, {"role": "screenplay"}),
        "companycredit": (w["company_credit"], "order", "9", None, {"role": "world-sales"}),
        "screening": (
            w["screening"],
            "ticket_url",
            "https://tickets.example/2",
            "note_uk",
            {"key": "copy", "starts_at_0": "2023-11-13", "ends_at_0": "2023-11-13"},
        ),
        "screeningfilm": (w["screening_film"], "order", "9", None, {"film": w["other_film"].pk}),
        "screeningguest": (w["guest"], "order", "9", None, {"person": w["other_person"].pk}),
        "filmcopy": (w["copy"], "count", "3", None, {"format": "35mm"}),
        "traveltime": (w["travel"], "minutes", "25", None, {"to_venue": w["farther_venue"].pk}),
    }


@pytest.fixture
def world(catalogue_film, edition, section, screen):
    film = catalogue_film
    competition = Section.objects.create(
        edition=edition, key="competition", name="Competition", competitive=True, published=True, order=1
    )
    other_film = Film.objects.create(key="another-film", title="Another Film", year=2023, published=True)
    Selection.objects.create(section=competition, film=film, order=0)
    Selection.objects.create(section=competition, film=other_film, order=1)
    person = Person.objects.get(key="alisa-kovalenko")
    other_person = Person.objects.get(key="valery-kalmykov")
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    screening = Screening.objects.get(key="wwnfa-1")
    screening.note = "Q&A"
    screening.save()
    return {
        "festival": edition.festival,
        "edition": edition,
        "section": section,
        "competition": competition,
        "venue": screen.venue,
        "screen": screen,
        "film": film,
        "other_film": other_film,
        "person": person,
        "other_person": other_person,
        "jury": JuryMember.objects.create(section=competition, person=person, role="member"),
        "award": award,
        "result": AwardResult.objects.create(award=award, film=film, kind="winner", citation="For courage."),
        "tag": Tag.objects.get(key="war"),
        "title": FilmTitle.objects.get(language="uk"),
        "image": FilmImage.objects.create(film=film, kind="still", image=tiny_image(), caption="A still"),
        "selection": Selection.objects.get(section=section, film=film),
        "history": FestivalHistoryEntry.objects.get(film=film),
        "history_award": FestivalHistoryAward.objects.get(),
        "alias": PersonAlias.objects.get(),
        "filmography": FilmographyEntry.objects.get(film=film),
        "company": Company.objects.get(key="trueman-production"),
        "company_alias": CompanyAlias.objects.create(company=Company.objects.get(key="trueman-production"), name="TP"),
        "credit": Credit.objects.get(role="editing"),
        "company_credit": CompanyCredit.objects.get(role="co-production"),
        "screening": screening,
        "screening_film": ScreeningFilm.objects.get(screening=screening),
        "guest": ScreeningGuest.objects.create(screening=screening, person=person, qa=True),
        "copy": FilmCopy.objects.create(film=film, format="dcp", count=1),
        "travel": TravelTime.objects.create(
            from_venue=screen.venue, to_venue=Venue.objects.create(key="far", name="Far Cinema"), minutes=20
        ),
        "farther_venue": Venue.objects.create(key="farther", name="Farther Cinema"),
    }


def user_for(role, world):
    if role == "superuser":
        return User.objects.create_superuser("root", password="password")
    user = User.objects.create_user(role, password="password", is_staff=True)
    group = {"programmer": PROGRAMMERS, "curator": PROGRAMMERS, "awards": AWARDS_STAFF, "translator": TRANSLATORS}
    if role in group:
        user.groups.add(Group.objects.get(name=group[role]))
    if role == "curator":
        world["competition"].curators.add(user)
    return user


def snapshot():
    """Every row the festival's app and the admin's log hold."""
    models = [*apps.get_app_config("films").get_models(), LogEntry]
    return [list(model.objects.order_by("pk").values_list()) for model in models]


def change_url(model, pk):
    return reverse(f"admin:films_{model}_change", args=[pk])


def value_of(obj, field):
    value = getattr(obj, field)
    return str(getattr(value, "pk", value))


def without_inline_rows(data):
    """The same form with every inline emptied, as an add form posts it."""
    data = {key: value for key, value in data.items() if "-" not in key or key.endswith("FORMS")}
    for key in data:
        if key.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            data[key] = "0"
    return data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "model",
    sorted(PROGRAMME | RESULTS),
)
def test_role_may_change_add_and_delete_exactly_what_its_role_allows(client, admin_client, world, role, model):
    obj, field, new_value, text_field, unique = records(world)[model]
    change, may_add, may_delete = expected(role, model)
    url = change_url(model, obj.pk)
    data = form_data(admin_client, url)  # The superuser's form: every field, as it stands.
    add_data = {**without_inline_rows(data), **unique}
    assert field in data, f"{model}: the form has no {field}"
    client.force_login(user_for(role, world))
    before = snapshot()

    # Change: the role's own form where it has one (as its browser would post it), else the superuser's.
    response = client.get(url)
    status = {FULL: 200, TEXT: 200, VIEW: 200, NONE: 403, HIDDEN: 302}[change]
    assert response.status_code == status
    own = form_data(client, url) if change in {FULL, TEXT} else data
    posted = {**own, field: new_value}
    if text_field:
        posted[text_field] = "Переклад"
    response = client.post(url, posted)
    if change in {FULL, TEXT}:
        assert response.status_code == 302, getattr(response, "context_data", {}).get("errors")
        fresh = type(obj).objects.get(pk=obj.pk)
        assert value_of(fresh, field) == (new_value if change == FULL else value_of(obj, field))
        if text_field:
            assert getattr(fresh, text_field) == "Переклад"
    else:
        assert response.status_code == {VIEW: 403, NONE: 403, HIDDEN: 302}[change]
        assert snapshot() == before

    # Add a copy.
    before = snapshot()
    count = type(obj).objects.count()
    add_url = reverse(f"admin:films_{model}_add")
    if model == "filmimage":
        add_data["image"] = tiny_image()
    response = client.post(add_url, add_data)
    if may_add:
        assert response.status_code == 302, getattr(response, "context_data", {}).get("errors")
        assert type(obj).objects.count() == count + 1
    else:
        assert response.status_code in {200, 403}  # 200: a curator's form refuses a section not theirs.
        assert snapshot() == before
        if response.status_code == 200:
            assert response.context_data["errors"]

    # Delete, from its page and as a bulk action.
    before = snapshot()
    delete_url = reverse(f"admin:films_{model}_delete", args=[obj.pk])
    changelist = reverse(f"admin:films_{model}_changelist")
    action = {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"}
    if may_delete:
        response = client.get(delete_url)
        assert response.status_code == 200
        # Deleting may take others' rows with it (a film's award results); then only their role may.
        kept = bool(response.context_data["protected"] or response.context_data["perms_lacking"])
        assert bool(response.context_data["perms_lacking"]) == (
            role in {"programmer", "curator"} and model in {"edition", "film", "person"}
        )
        client.post(delete_url, {"post": "yes"})
        assert type(obj).objects.filter(pk=obj.pk).exists() == kept
        if kept:
            assert snapshot() == before
    else:
        assert client.get(delete_url).status_code in {302, 403}
        assert client.post(delete_url, {"post": "yes"}).status_code in {302, 403}
        client.post(changelist, action)
        assert snapshot() == before
        assert type(obj).objects.filter(pk=obj.pk).exists()


RESULTS_PAGE_RIGHTS = {
    "superuser": FULL,
    "awards": FULL,
    "translator": TEXT,
    "programmer": NONE,
    "curator": NONE,
    "nobody": NONE,
}


def results_post(world, **row):
    award, result = world["award"], world["result"]
    prefix = f"award-{award.pk}"
    fields = {
        "id": str(result.pk),
        "award": str(award.pk),
        "film": str(result.film_id),
        "kind": "winner",
        "order": "0",
        "citation_en": "For courage.",
        **row,
    }
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update({f"{prefix}-0-{name}": value for name, value in fields.items()})
    # A second, new row: a mention for the example film.
    data.update(
        {
            f"{prefix}-1-award": str(award.pk),
            f"{prefix}-1-film": str(world["film"].pk),
            f"{prefix}-1-kind": "special-mention",
            f"{prefix}-1-order": "1",
            f"{prefix}-1-citation_en": "Also good.",
        }
    )
    return data


@pytest.mark.parametrize("role", ROLES)
def test_the_results_page_lets_each_role_change_exactly_its_part(client, world, role):
    rights = RESULTS_PAGE_RIGHTS[role]
    client.force_login(user_for(role, world))
    url = reverse("admin:films_award_results", args=[world["competition"].pk])
    result = world["result"]
    before = snapshot()
    response = client.get(url)
    assert response.status_code == (403 if rights == NONE else 200)
    data = results_post(
        world,
        film=str(world["other_film"].pk),
        kind="special-mention",
        order="5",
        citation_en="Changed.",
        citation_uk="Змінено.",
    )
    response = client.post(url, data)
    if rights == NONE:
        assert response.status_code == 403
        assert snapshot() == before
        return
    assert response.status_code == 302
    if rights == FULL:
        assert list(AwardResult.objects.order_by("order").values_list("film__key", "kind", "order", "citation_en")) == [
            ("we-will-not-fade-away", "special-mention", 1, "Also good."),
            ("another-film", "special-mention", 5, "Changed."),
        ]
    else:
        result.refresh_from_db()
        assert (result.film_id, result.kind, result.order) == (world["film"].pk, "winner", 0)
        assert (result.citation_en, result.citation_uk) == ("Changed.", "Змінено.")
        assert AwardResult.objects.count() == 1  # The new row was not added.


def test_a_translator_sees_the_decisions_read_only_and_every_citation_language(client, world):
    client.force_login(user_for("translator", world))
    response = client.get(reverse("admin:films_award_results", args=[world["competition"].pk]))
    html = response.content.decode()
    (award, formset) = response.context["awards"][0]
    form = formset.forms[0]
    assert len(formset.forms) == 1  # No empty rows to add a result.
    assert [name for name, field in form.fields.items() if not field.disabled and name not in {"id", "award"}] == [
        "citation_en",
        "citation_uk",
        "citation_pl",
        "citation_de",
        "citation_nl",
    ]
    assert {"film", "kind", "order"} <= {name for name, field in form.fields.items() if field.disabled}
    assert 'id="text-only"' in html
    assert f'name="award-{award.pk}-0-DELETE"' not in html
    assert "Save all results" in html
    # A column for the citation in each language, each with its input.
    assert re.findall(r'<th scope="col">Citation \((\w+)\)</th>', html) == ["en", "uk", "pl", "de", "nl"]
    for code in ("en", "uk", "pl", "de", "nl"):
        assert f'name="award-{award.pk}-0-citation_{code}"' in html
    competition = world["competition"]
    assert f"<title>Results: {competition}, {competition.edition} | Django site admin</title>" in html


def test_a_translator_cannot_delete_a_result_on_the_results_page(client, world):
    client.force_login(user_for("translator", world))
    data = results_post(world, DELETE="on")
    response = client.post(reverse("admin:films_award_results", args=[world["competition"].pk]), data)
    assert response.status_code == 302
    assert AwardResult.objects.filter(pk=world["result"].pk).exists()


IMPORT_RIGHTS = {
    "superuser": True,
    "programmer": True,
    "curator": False,
    "awards": False,
    "translator": False,
    "nobody": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_programmers_over_the_whole_festival_import_catalogues(client, world, role):
    client.force_login(user_for(role, world))
    url = reverse("catalogue-import")
    before = snapshot()
    response = client.get(url)
    assert response.status_code == (200 if IMPORT_RIGHTS[role] else 403)
    if not IMPORT_RIGHTS[role]:
        response = client.post(url, {"confirm": "yes", "token": "x"})
        assert response.status_code == 403
        assert snapshot() == before


BOARD_VIEWERS = {"superuser", "programmer", "curator", "awards", "translator"}


@pytest.mark.parametrize("role", ROLES)
def test_the_schedule_board_shows_to_those_who_see_screenings_and_writes_nothing(client, world, role):
    client.force_login(user_for(role, world))
    before = snapshot()
    url = reverse("admin:films_screening_board") + "?edition=idfa-2023&day=2023-11-12"
    status = 200 if role in BOARD_VIEWERS else 403
    assert client.get(url).status_code == status
    assert client.post(url, {"screening": world["screening"].pk, "starts_at": "2023-11-12 10:00"}).status_code == status
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_change_screenings_fully_move_them_on_the_board(client, world, role):
    """A move (and its undo) changes a screening's time and screen: the screening's FULL rights, nothing less."""
    client.force_login(user_for(role, world))
    screening = world["screening"]
    url = reverse("admin:films_screening_move", args=[screening.pk])
    allowed = expected(role, "screening")[0] == FULL
    before = snapshot()
    assert client.get(url).status_code == (405 if allowed else 403)
    later = timezone.localtime(screening.starts_at, screening.edition.tzinfo) + datetime.timedelta(hours=1)
    data = {"screen": screening.screen_id, "starts_at": f"{later:%Y-%m-%dT%H:%M}", "version": screening.version}
    response = client.post(url, data)
    if not allowed:
        assert response.status_code == 403
        assert client.post(reverse("admin:films_screening_board_undo")).status_code in (302, 403)
        assert snapshot() == before
        return
    assert response.status_code == 302
    screening.refresh_from_db()
    assert timezone.localtime(screening.starts_at, screening.edition.tzinfo) == later
    assert client.post(reverse("admin:films_screening_board_undo")).status_code == 302
    screening.refresh_from_db()
    assert screening.starts_at == later - datetime.timedelta(hours=1)


def test_the_matrix_covers_every_model_the_admin_registers():
    from django.contrib import admin

    registered = {model._meta.model_name for model in admin.site._registry if model._meta.app_label == "films"}
    assert registered == PROGRAMME | RESULTS


def test_the_matrix_record_table_names_one_record_per_model(world):
    table = records(world)
    assert set(table) == PROGRAMME | RESULTS
    for model, (obj, _field, _value, _text, _unique) in table.items():
        assert obj._meta.model_name == model
    # The records the curator must not reach lie outside the one section they curate.
    assert world["section"].key != "competition"
    assert {world[name].section for name in ("selection", "screening")} == {world["section"]}
    assert world["screening_film"].screening.section == world["section"]
