"""Two people open the same record and both save: the second save is refused, names who saved in between and
when, keeps the second person's input, and loses nothing of the first save."""

import pytest
import reversion
from django.urls import reverse

from films.models import AwardResult, Edition, Film, Screening, Section
from films.roles import AWARDS_STAFF, PROGRAMMERS

from .admin_forms import form_data
from .conftest import local
from .staff import member


@pytest.fixture
def anna(db):
    return member("anna", PROGRAMMERS)


@pytest.fixture
def ben(db):
    return member("ben", PROGRAMMERS)


def errors_of(response):
    return [str(error) for error in response.context["adminform"].form.non_field_errors()]


@pytest.mark.parametrize(
    ("model", "get", "field", "first", "second"),
    [
        (Film, lambda w: w["film"], "year", "2021", "2022"),
        (Screening, lambda w: w["screening"], "ticket_url", "https://tickets.example/a", "https://tickets.example/b"),
        (Section, lambda w: w["section"], "order", "3", "4"),
        (Edition, lambda w: w["edition"], "name_en", "IDFA 2023 (anna)", "IDFA 2023 (ben)"),
    ],
    ids=["film-with-inlines", "screening", "section", "edition"],
)
def test_the_second_of_two_saves_is_refused_naming_who_saved_and_what(
    anna, ben, catalogue_film, edition, section, model, get, field, first, second
):
    world = {"film": catalogue_film, "screening": Screening.objects.get(), "section": section, "edition": edition}
    record = get(world)
    with reversion.create_revision():  # Its first version, as the admin or an import would have kept it.
        record.save()
    url = reverse(f"admin:films_{model._meta.model_name}_change", args=[record.pk])
    anna_form, ben_form = form_data(anna, url), form_data(ben, url)  # Both open the form.

    assert anna.post(url, {**anna_form, field: first}).status_code == 302
    response = ben.post(url, {**ben_form, field: second})

    assert response.status_code == 200
    (message,) = errors_of(response)
    assert message.startswith(f"Not saved: anna saved this {model._meta.verbose_name} at ")
    label = str(model._meta.get_field(field.removesuffix("_en")).verbose_name)
    old = str(ben_form[field])
    assert f"{label}{' (en)' if field.endswith('_en') else ''}: “{old}” → “{first}”" in message
    assert message.endswith("Check it, then save again to keep your version.")
    # Ben's input is on the page; Anna's save is what the database holds.
    assert response.context["adminform"].form.data[field] == second
    assert str(getattr(model.objects.get(pk=record.pk), field.removesuffix("_en"))) == first

    # Having seen it, Ben saves again: his version wins, knowingly.
    again = form_data_from(response)
    assert ben.post(url, again).status_code == 302
    assert str(getattr(model.objects.get(pk=record.pk), field.removesuffix("_en"))) == second


def form_data_from(response):
    """The data of the refused form as the page shows it again (with the newer version it now carries)."""
    form = response.context["adminform"].form
    data = {key: form.data.getlist(key) if len(form.data.getlist(key)) > 1 else form.data[key] for key in form.data}
    assert data["edit_version"] == str(type(form.instance).objects.get(pk=form.instance.pk).version)
    return data


def test_a_film_saved_by_two_people_in_turn_is_not_refused(anna, ben, film):
    url = reverse("admin:films_film_change", args=[film.pk])
    assert anna.post(url, {**form_data(anna, url), "year": "2021"}).status_code == 302
    assert ben.post(url, {**form_data(ben, url), "year": "2022"}).status_code == 302  # Opened after Anna saved.
    film.refresh_from_db()
    assert film.year == 2022


def test_a_change_to_an_inline_row_alone_still_makes_a_later_save_stale(anna, ben, catalogue_film):
    url = reverse("admin:films_film_change", args=[catalogue_film.pk])
    anna_form, ben_form = form_data(anna, url), form_data(ben, url)
    index = next(i for i in range(20) if anna_form.get(f"other_titles-{i}-title") == "Expedition 49")
    assert anna.post(url, {**anna_form, f"other_titles-{index}-title": "Expedition Forty-Nine"}).status_code == 302
    response = ben.post(url, {**ben_form, "runtime_minutes": "99"})
    assert response.status_code == 200
    assert errors_of(response)[0].startswith("Not saved: anna saved this film at ")
    catalogue_film.refresh_from_db()
    assert catalogue_film.runtime_minutes == 100
    assert catalogue_film.other_titles.filter(title="Expedition Forty-Nine").exists()


def test_a_save_from_a_form_opened_before_an_import_is_refused(anna, catalogue_film):
    from films.catalogue import import_catalogue
    from films.catalogue.exporter import export_catalogue

    url = reverse("admin:films_film_change", args=[catalogue_film.pk])
    opened = form_data(anna, url)
    document = export_catalogue()
    document["films"][0]["runtime_minutes"] = 101
    import_catalogue([document])
    response = anna.post(url, {**opened, "year": "2020"})
    assert response.status_code == 200
    assert errors_of(response)[0].startswith("Not saved: an import or a script saved this film at ")
    assert Film.objects.get().runtime_minutes == 101


# The results page of a competition.


@pytest.fixture
def results_world(catalogue_film, edition):
    from films.models import Award, Selection

    competition = Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)
    other = Film.objects.create(key="another-film", title="Another Film", year=2023)
    Selection.objects.create(section=competition, film=catalogue_film)
    Selection.objects.create(section=competition, film=other)
    award = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film")
    return competition, award, catalogue_film, other


def results_post(page, award, film):
    """The results page's own data with one new winner row for ``film``."""
    data = form_data_results(page)
    prefix = f"award-{award.pk}"
    data.update({f"{prefix}-0-film": str(film.pk), f"{prefix}-0-kind": "winner", f"{prefix}-0-order": "0"})
    return data


def form_data_results(response):
    from .admin_forms import FormData

    parser = FormData()
    parser.in_form = False
    html = response.content.decode()
    start = html.index('<form method="post" novalidate>')
    parser.in_form = True
    parser.feed(html[start:])
    data = {key: value for key, value in parser.data.items() if key != "csrfmiddlewaretoken"}
    data["_save"] = "Save"
    return data


def test_the_second_save_of_a_competitions_results_is_refused(results_world):
    competition, award, film, other = results_world
    anna, ben = member("anna", AWARDS_STAFF), member("ben", AWARDS_STAFF)
    url = reverse("admin:films_award_results", args=[competition.pk])
    anna_page, ben_page = anna.get(url), ben.get(url)

    assert anna.post(url, results_post(anna_page, award, film)).status_code == 302
    response = ben.post(url, results_post(ben_page, award, other))

    assert response.status_code == 200
    assert response.context["failure"].startswith("Not saved: anna saved this award at ")
    assert list(AwardResult.objects.values_list("film__key", flat=True)) == ["we-will-not-fade-away"]
    # Ben's choice is still in the form, and saving again (having seen the conflict) replaces Anna's winner only
    # if he means it: the page now carries the newer version.
    (_award, formset) = response.context["awards"][0]
    assert formset.forms[0]["film"].value() == str(other.pk)
    assert f'name="version-{award.pk}" value="{award.__class__.objects.get().version}"' in response.content.decode()


def test_a_bulk_change_takes_its_version_from_the_clock_on_every_database(make_screening):
    """``bumped()`` raises a version to the clock in microseconds (beyond 32 bits), as a save does."""
    import datetime

    from django.utils import timezone

    from films.models import Screening
    from films.models.versioned import bumped, saved_at

    make_screening(local(2023, 11, 12, 14), key="bulk")
    Screening.objects.update(version=5)
    before = timezone.now()
    Screening.objects.update(version=bumped())
    moment = saved_at(Screening.objects.get().version)
    assert moment is not None
    assert before - datetime.timedelta(seconds=1) <= moment <= timezone.now()


def test_a_bulk_change_raises_a_version_ahead_of_the_clock_by_one(make_screening):
    """A version ahead of this machine's clock (saved by a server whose clock runs fast) still goes up, by one:
    a form opened at it is stale afterwards."""
    import time

    from films.models import Screening
    from films.models.versioned import bumped

    make_screening(local(2023, 11, 12, 14), key="bulk")
    ahead = time.time_ns() // 1000 + 3_600_000_000  # an hour ahead
    Screening.objects.update(version=ahead)
    Screening.objects.update(version=bumped())
    assert Screening.objects.get().version == ahead + 1
