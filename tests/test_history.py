"""Every change is kept with who, when and each field's old and new value, and can be undone: an earlier version
restored, a deleted record recovered together with the rows that depend on it."""

import pytest
import reversion
from django.contrib.auth.models import User
from django.urls import reverse
from reversion.models import Version

from films.models import (
    AwardResult,
    Company,
    CompanyAlias,
    Credit,
    Film,
    FilmTitle,
    Person,
    PersonAlias,
    Screening,
    ScreeningFilm,
    Selection,
)
from films.roles import PROGRAMMERS, TRANSLATORS

from .admin_forms import form_data
from .staff import member


@pytest.fixture
def programmer(db):
    return member("anna", PROGRAMMERS)


def history_rows(client, model, pk):
    response = client.get(reverse(f"admin:films_{model}_history", args=[pk]))
    assert response.status_code == 200
    return response.context["history_rows"]


def test_a_change_is_recorded_with_who_when_and_each_fields_old_and_new_value(programmer, catalogue_film):
    url = reverse("admin:films_film_change", args=[catalogue_film.pk])
    with reversion.create_revision():
        catalogue_film.save()
    data = form_data(programmer, url)
    assert (
        programmer.post(url, {**data, "year": "2022", "title_uk": "Ми не згаснемо!", "synopsis_de": ""}).status_code
        == 302
    )

    newest = history_rows(programmer, "film", catalogue_film.pk)[0]
    assert newest["version"].revision.user.username == "anna"
    assert newest["version"].revision.get_comment() == "Changed Title [uk] and Year."
    assert [(c.field, c.language, c.old, c.new) for c in newest["changes"]] == [
        ("title", "uk", "Ми не згаснемо", "Ми не згаснемо!"),
        ("year", "", "2023", "2022"),
    ]


def test_a_cleared_translation_is_shown_as_cleared(programmer, catalogue_film):
    catalogue_film.synopsis_de = "Fünf Jugendliche."
    with reversion.create_revision():
        catalogue_film.save()
    url = reverse("admin:films_film_change", args=[catalogue_film.pk])
    assert programmer.post(url, {**form_data(programmer, url), "synopsis_de": ""}).status_code == 302
    (change,) = history_rows(programmer, "film", catalogue_film.pk)[0]["changes"]
    assert (change.field, change.language, change.old, change.new, change.clears) == (
        "synopsis",
        "de",
        "Fünf Jugendliche.",
        "",
        True,
    )
    page = programmer.get(reverse("admin:films_film_history", args=[catalogue_film.pk])).content.decode()
    assert 'class="field-change clears"' in page


def test_an_earlier_version_is_restored_with_its_credits(programmer, catalogue_film):
    with reversion.create_revision():
        catalogue_film.save()
    first = Version.objects.get_for_object(catalogue_film).get()
    url = reverse("admin:films_film_change", args=[catalogue_film.pk])
    data = form_data(programmer, url)
    editing = next(i for i in range(20) if data.get(f"credits-{i}-role") == "editing")
    data.update({"year": "1999", f"credits-{editing}-DELETE": "on"})
    assert programmer.post(url, data).status_code == 302
    assert not Credit.objects.filter(role="editing").exists()

    revision_url = reverse("admin:films_film_revision", args=[catalogue_film.pk, first.pk])
    assert programmer.post(revision_url, form_data(programmer, revision_url)).status_code == 302

    catalogue_film.refresh_from_db()
    assert catalogue_film.year == 2023
    assert Credit.objects.filter(role="editing", person__key="katarzyna-kuczynska").exists()
    assert (
        history_rows(programmer, "film", catalogue_film.pk)[0]["version"]
        .revision.get_comment()
        .startswith("Reverted to previous version")
    )


def test_a_deleted_film_comes_back_with_its_credits_titles_selections_and_screenings(programmer, catalogue_film):
    film = catalogue_film
    counts = {
        "credits": film.credits.count(),
        "titles": film.other_titles.count(),
        "selections": film.selections.count(),
        "screenings": film.screening_films.count(),
    }
    assert counts == {"credits": 4, "titles": 2, "selections": 1, "screenings": 1}
    delete_url = reverse("admin:films_film_delete", args=[film.pk])
    assert programmer.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Film.objects.exists()
    assert not Credit.objects.exists()
    assert not FilmTitle.objects.exists()
    assert not Selection.objects.exists()
    assert not ScreeningFilm.objects.exists()

    recover_list = programmer.get(reverse("admin:films_film_recoverlist"))
    (version,) = recover_list.context["deleted"]
    assert version.object_repr == "We Will Not Fade Away"
    recover_url = reverse("admin:films_film_recover", args=[version.pk])
    assert programmer.post(recover_url, form_data(programmer, recover_url)).status_code == 302

    film = Film.objects.get(key="we-will-not-fade-away")
    assert film.title_uk == "Ми не згаснемо"
    assert sorted(film.credits.values_list("role", "person__key")) == [
        ("director", "alisa-kovalenko"),
        ("editing", "katarzyna-kuczynska"),
        ("producer", "valery-kalmykov"),
        ("sound", "mariia-nesterenko"),
    ]
    assert sorted(film.other_titles.values_list("title", flat=True)) == ["Expedition 49", "Експедиція 49"]
    assert list(film.selections.values_list("section__key", "premiere")) == [("best-of-fests", "national")]
    assert list(Screening.objects.filter(films=film).values_list("key", flat=True)) == ["wwnfa-1"]


def test_a_deleted_screening_comes_back_with_its_films(programmer, catalogue_film):
    screening = Screening.objects.get()
    assert (
        programmer.post(reverse("admin:films_screening_delete", args=[screening.pk]), {"post": "yes"}).status_code
        == 302
    )
    (version,) = programmer.get(reverse("admin:films_screening_recoverlist")).context["deleted"]
    recover_url = reverse("admin:films_screening_recover", args=[version.pk])
    assert programmer.post(recover_url, form_data(programmer, recover_url)).status_code == 302
    assert list(Screening.objects.get(key="wwnfa-1").films.values_list("key", flat=True)) == ["we-will-not-fade-away"]


@pytest.mark.parametrize(
    ("model", "make", "check"),
    [
        (
            "person",
            lambda: Person.objects.create(key="maria-n", name="Maria N."),
            lambda: list(PersonAlias.objects.filter(person__key="maria-n").values_list("name", flat=True)) == ["M. N."],
        ),
        (
            "company",
            lambda: Company.objects.create(key="east-roads", name="East Roads Films"),
            lambda: (
                list(CompanyAlias.objects.filter(company__key="east-roads").values_list("name", flat=True)) == ["M. N."]
            ),
        ),
    ],
)
def test_a_deleted_person_or_company_comes_back_with_its_aliases(programmer, db, model, make, check):
    record = make()
    record.aliases.create(name="M. N.")
    programmer.post(reverse(f"admin:films_{model}_delete", args=[record.pk]), {"post": "yes"})
    assert not type(record).objects.exists()
    (version,) = programmer.get(reverse(f"admin:films_{model}_recoverlist")).context["deleted"]
    recover_url = reverse(f"admin:films_{model}_recover", args=[version.pk])
    assert programmer.post(recover_url, form_data(programmer, recover_url)).status_code == 302
    assert check()


def test_a_deleted_award_result_is_recovered(admin_client, catalogue_film, edition):
    from films.models import Award, Section

    competition = Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)
    Selection.objects.create(section=competition, film=catalogue_film)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    result = AwardResult.objects.create(award=award, film=catalogue_film, citation="For courage.")
    admin_client.post(reverse("admin:films_awardresult_delete", args=[result.pk]), {"post": "yes"})
    assert not AwardResult.objects.exists()
    (version,) = admin_client.get(reverse("admin:films_awardresult_recoverlist")).context["deleted"]
    recover_url = reverse("admin:films_awardresult_recover", args=[version.pk])
    assert admin_client.post(recover_url, form_data(admin_client, recover_url)).status_code == 302
    assert AwardResult.objects.get().citation == "For courage."


def test_a_translator_sees_history_but_restores_and_recovers_nothing(catalogue_film):
    translator = member("tanja", TRANSLATORS)
    with reversion.create_revision():
        catalogue_film.save()
    version = Version.objects.get_for_object(catalogue_film).get()
    assert translator.get(reverse("admin:films_film_history", args=[catalogue_film.pk])).status_code == 200
    revision_url = reverse("admin:films_film_revision", args=[catalogue_film.pk, version.pk])
    catalogue_film.year = 1999
    catalogue_film.save()
    assert translator.get(revision_url).status_code == 403
    assert translator.post(revision_url, {"title_uk": "x", "_save": "Save"}).status_code == 403
    assert translator.get(reverse("admin:films_film_recoverlist")).status_code == 403
    catalogue_film.refresh_from_db()
    assert catalogue_film.year == 1999


def test_an_import_is_kept_as_a_revision_by_the_person_who_confirmed_it(catalogue_film):
    from films.catalogue import import_catalogue
    from films.catalogue.exporter import export_catalogue

    user = User.objects.create_user("importer", is_staff=True)
    document = export_catalogue()
    document["films"][0]["runtime_minutes"] = 101
    import_catalogue([document], user=user, names="festival.json")
    (version,) = Version.objects.get_for_object(catalogue_film)
    assert version.revision.user == user
    assert version.revision.get_comment() == "Imported from a catalogue file: festival.json"
    assert version.field_dict["runtime_minutes"] == 101
    # The film's rows are part of its revision, so restoring it brings them back as they were.
    kept = {v.content_type.model for v in version.revision.version_set.all()}
    assert {"film", "credit", "filmtitle", "selection", "screeningfilm"} <= kept


def test_a_curator_restores_nothing_outside_their_sections(catalogue_film, edition):
    from films.models import Section

    curator_client = member("carla", PROGRAMMERS)
    carla = User.objects.get(username="carla")
    Section.objects.create(edition=edition, key="competition", name="Competition").curators.add(carla)
    screening = Screening.objects.get()  # In "Best of Fests", which Carla does not curate.
    with reversion.create_revision():
        screening.save()
    version = Version.objects.get_for_object(screening).get()
    screening.ticket_url = "https://tickets.example/changed"
    screening.save()
    revision_url = reverse("admin:films_screening_revision", args=[screening.pk, version.pk])
    assert curator_client.post(revision_url, {"_save": "Save"}).status_code == 403
    assert curator_client.get(reverse("admin:films_screening_history", args=[screening.pk])).status_code == 403
    assert curator_client.get(reverse("admin:films_screening_recoverlist")).status_code == 403
    screening.refresh_from_db()
    assert screening.ticket_url == "https://tickets.example/changed"


def test_restoring_one_imported_film_leaves_the_rest_of_the_import_alone(programmer, catalogue_film):
    import copy

    from films.catalogue import import_catalogue
    from films.catalogue.exporter import export_catalogue

    document = export_catalogue()
    second = copy.deepcopy(document["films"][0])
    second.update({"key": "second-film", "title": {"en": "Second Film"}})
    document["films"].append(second)
    document["films"][0]["runtime_minutes"] = 101
    import_catalogue([document], names="festival.json")
    other = Film.objects.get(key="second-film")
    imported = Version.objects.get_for_object(catalogue_film).get()
    assert [v.object_repr for v in imported.revision.version_set.filter(content_type__model="film")] == [
        "We Will Not Fade Away"
    ]  # A revision per film.

    for film in (catalogue_film, other):
        film.refresh_from_db()
        film.year = 1999
        with reversion.create_revision():
            film.save()
    revision_url = reverse("admin:films_film_revision", args=[catalogue_film.pk, imported.pk])
    assert programmer.post(revision_url, form_data(programmer, revision_url)).status_code == 302

    catalogue_film.refresh_from_db()
    other.refresh_from_db()
    assert (catalogue_film.year, catalogue_film.runtime_minutes) == (2023, 101)
    assert other.year == 1999
    assert other.credits.count() == catalogue_film.credits.count() == 4
