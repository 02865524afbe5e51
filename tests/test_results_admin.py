"""The results page of a competition: every award on one screen, saved at once, under embargo, with an audit trail."""

import datetime
import re

import pytest
import reversion
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.models import Award, AwardResult, Credit, Film, JuryMember, Person, Section, Selection
from films.roles import AWARDS_STAFF

from .staff import said


@pytest.fixture
def staff(db):
    user = User.objects.create_user("awards", password="password", is_staff=True)
    user.groups.add(Group.objects.get(name=AWARDS_STAFF))
    return user


@pytest.fixture
def competition(edition):
    return Section.objects.create(edition=edition, key="competition", name="Competition", competitive=True)


@pytest.fixture
def entries(competition, film):
    """Two films selected in the competition; the example film is directed by Alisa Kovalenko."""
    other = Film.objects.create(key="another-film", title="Another Film", year=2023, published=True)
    Selection.objects.create(section=competition, film=film, order=0)
    Selection.objects.create(section=competition, film=other, order=1)
    alisa = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    Credit.objects.create(film=film, role="director", person=alisa)
    return film, other, alisa


@pytest.fixture
def awards(edition, competition):
    best_film = Award.objects.create(edition=edition, section=competition, key="best-film", name="Best Film", order=0)
    best_director = Award.objects.create(
        edition=edition, section=competition, key="best-director", name="Best Director", recipient="person", order=1
    )
    return best_film, best_director


def url(section):
    return reverse("admin:films_award_results", args=[section.pk])


def rows(award, new=(), existing=()):
    """POST data for one award's formset: ``existing`` results (id and fields) and ``new`` rows."""
    prefix = f"award-{award.pk}"
    items = [*existing, *new]
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": str(len(existing)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(items):
        row = {"kind": "winner", "order": "0", "citation_en": "", **row}
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
        data[f"{prefix}-{index}-award"] = str(award.pk)
    return data


def post(client, section, *formsets):
    data = {"_save": "Save"}
    for formset in formsets:
        data.update(formset)
    return client.post(url(section), data)


def row_errors(response, award):
    for item, formset in response.context["awards"]:
        if item == award:
            return [form.errors for form in formset.forms]
    raise AssertionError(award)


def test_awards_staff_log_a_whole_competition_in_one_post(client, staff, competition, entries, awards):
    film, other, alisa = entries
    best_film, best_director = awards
    client.force_login(staff)
    response = post(
        client,
        competition,
        rows(
            best_film, [{"film": film.pk, "citation_en": "For courage."}, {"film": other.pk, "kind": "special-mention"}]
        ),
        rows(best_director, [{"film": film.pk, "person": alisa.pk}]),
    )
    assert response.status_code == 302
    assert response.url == url(competition)
    results = AwardResult.objects.order_by("award__order", "kind")
    assert [(r.award.key, r.film.key, r.person_id, r.kind, r.citation) for r in results] == [
        ("best-film", "another-film", None, "special-mention", ""),
        ("best-film", "we-will-not-fade-away", None, "winner", "For courage."),
        ("best-director", "we-will-not-fade-away", alisa.pk, "winner", ""),
    ]
    result_type = ContentType.objects.get_for_model(AwardResult)
    logged = LogEntry.objects.filter(content_type=result_type, action_flag=ADDITION)
    assert sorted(int(entry.object_id) for entry in logged) == sorted(result.pk for result in results)
    assert {entry.user for entry in LogEntry.objects.all()} == {staff}
    page = client.get(url(competition))
    # One post, one revision of the awards' history, listing each change.
    (change,) = page.context["changes"]
    assert (change["user"], change["award"]) == (staff, "Best Director, Best Film")
    assert change["message"] == (
        "Added award result “Best Film: We Will Not Fade Away”. "
        "Added award result “Best Film: Another Film”. "
        "Added award result “Best Director: We Will Not Fade Away”."
    )
    assert "Added award result “Best Director: We Will Not Fade Away”." in page.content.decode()


def test_a_change_is_logged_with_what_changed_and_shows_in_the_results_history(
    client, staff, competition, entries, awards
):
    film, other, _alisa = entries
    best_film, _best_director = awards
    with reversion.create_revision():  # Its first version, as an earlier save would have left it.
        result = AwardResult.objects.create(award=best_film, film=film)
    client.force_login(staff)
    existing = [{"id": result.pk, "film": film.pk, "kind": "special-mention"}]
    response = post(client, competition, rows(best_film, [{"film": other.pk}], existing), rows(awards[1]))
    assert response.status_code == 302
    result_type = ContentType.objects.get_for_model(AwardResult)
    entry = LogEntry.objects.get(content_type=result_type, object_id=str(result.pk), action_flag=CHANGE)
    assert (entry.user, entry.get_change_message()) == (staff, "Changed Kind.")
    history = client.get(reverse("admin:films_awardresult_history", args=[result.pk]))
    newest = history.context["history_rows"][0]["version"]
    assert newest.revision.get_comment() == (
        "Added award result “Best Film: Another Film”. "
        "Changed Kind for award result “Best Film: We Will Not Fade Away”."
    )
    assert [(change.field, change.old, change.new) for change in history.context["history_rows"][0]["changes"]] == [
        ("kind", "winner", "special-mention")
    ]


@pytest.mark.parametrize(
    ("make_rows", "field", "message"),
    [
        (
            lambda film, other, stranger, alisa, awards: rows(awards[0], [{"film": stranger.pk}]),
            "film",
            "“Stranger” is not selected in “Competition”, so it cannot receive “Best Film”.",
        ),
        (
            lambda film, other, stranger, alisa, awards: rows(awards[0], [{"film": film.pk}, {"film": other.pk}]),
            "kind",
            "“Best Film” already has a winner (We Will Not Fade Away) and does not allow ex aequo.",
        ),
        (
            lambda film, other, stranger, alisa, awards: rows(awards[1], [{"film": other.pk, "person": alisa.pk}]),
            "person",
            "Alisa Kovalenko is not credited on “Another Film”.",
        ),
        (
            lambda film, other, stranger, alisa, awards: rows(awards[1], [{"film": film.pk}]),
            "person",
            "“Best Director” goes to a person: choose who.",
        ),
    ],
    ids=["film-not-selected", "second-winner", "person-not-credited", "person-missing"],
)
def test_a_bad_row_is_named_and_nothing_is_saved(
    client, staff, competition, entries, awards, make_rows, field, message
):
    film, other, alisa = entries
    stranger = Film.objects.create(key="stranger", title="Stranger")
    client.force_login(staff)
    good = {  # A valid row for the other award, which must not be saved either.
        awards[0].pk: rows(awards[1], [{"film": film.pk, "person": alisa.pk}]),
        awards[1].pk: rows(awards[0], [{"film": film.pk}]),
    }
    bad = make_rows(film, other, stranger, alisa, awards)
    bad_award = awards[0] if f"award-{awards[0].pk}-TOTAL_FORMS" in bad else awards[1]
    response = post(client, competition, bad, good[bad_award.pk])
    assert response.status_code == 200
    errors = row_errors(response, bad_award)
    assert errors[-1] == {field: [message]}
    assert response.context["failure"] == "Nothing was saved: correct the results marked below."
    html = response.content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    assert not AwardResult.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_second_winner_is_refused_next_to_an_existing_one(client, staff, competition, entries, awards):
    film, other, _alisa = entries
    existing = AwardResult.objects.create(award=awards[0], film=film)
    client.force_login(staff)
    response = post(
        client,
        competition,
        rows(awards[0], [{"film": other.pk}], [{"id": existing.pk, "film": film.pk}]),
        rows(awards[1]),
    )
    assert row_errors(response, awards[0]) == [
        {},
        {"kind": ["“Best Film” already has a winner (We Will Not Fade Away) and does not allow ex aequo."]},
    ]
    assert AwardResult.objects.get() == existing


def test_the_winner_can_change_in_one_post(client, staff, competition, entries, awards):
    """The old winner becomes a mention and another film wins: the rows posted together are what is checked."""
    film, other, _alisa = entries
    existing = AwardResult.objects.create(award=awards[0], film=film)
    client.force_login(staff)
    response = post(
        client,
        competition,
        rows(awards[0], [{"film": other.pk}], [{"id": existing.pk, "film": film.pk, "kind": "special-mention"}]),
        rows(awards[1]),
    )
    assert response.status_code == 302
    assert sorted(AwardResult.objects.values_list("film__key", "kind")) == [
        ("another-film", "winner"),
        ("we-will-not-fade-away", "special-mention"),
    ]


def test_ex_aequo_allows_two_winners(client, staff, competition, entries, awards):
    film, other, _alisa = entries
    Award.objects.filter(pk=awards[0].pk).update(ex_aequo=True)
    client.force_login(staff)
    response = post(client, competition, rows(awards[0], [{"film": film.pk}, {"film": other.pk}]), rows(awards[1]))
    assert response.status_code == 302
    assert AwardResult.objects.filter(kind="winner").count() == 2


def test_a_film_listed_twice_is_refused(client, staff, competition, entries, awards):
    film, _other, _alisa = entries
    client.force_login(staff)
    response = post(
        client,
        competition,
        rows(awards[0], [{"film": film.pk}, {"film": film.pk, "kind": "special-mention"}]),
        rows(awards[1]),
    )
    assert row_errors(response, awards[0])[1] == {
        "__all__": ["This row repeats an earlier row (We Will Not Fade Away); remove one of the two."]
    }
    assert not AwardResult.objects.exists()


def test_the_page_offers_the_competitions_films_and_the_people_credited_on_them(
    client, staff, competition, entries, awards
):
    client.force_login(staff)
    response = client.get(url(competition))
    best_film_form = response.context["awards"][0][1].forms[0]
    best_director_form = response.context["awards"][1][1].forms[0]
    film, other, alisa = entries
    assert list(best_film_form.fields["film"].choices) == [
        ("", "---------"),
        (film.pk, "We Will Not Fade Away"),
        (other.pk, "Another Film"),
    ]
    assert "person" not in best_film_form.fields
    assert list(best_director_form.fields["person"].choices) == [
        ("", "---------"),
        (alisa.pk, "Alisa Kovalenko — We Will Not Fade Away"),
    ]
    # Films in the competition's running order (not the order they were added), people by name, each with every
    # film they are credited on in that order.
    third = Film.objects.create(key="third-film", title="Third Film", year=2023, published=True)
    Selection.objects.create(section=competition, film=third, order=0)
    Selection.objects.filter(film=film).update(order=1)
    Selection.objects.filter(film=other).update(order=2)
    aaron = Person.objects.create(key="aaron", name="Aaron Abel")
    Credit.objects.create(film=film, role="editing", person=aaron, order=3)
    Credit.objects.create(film=third, role="editing", person=aaron, order=5)
    Credit.objects.create(film=other, role="director", person=aaron, order=2)
    again = client.get(url(competition)).context["awards"]
    assert list(again[0][1].forms[0].fields["film"].choices) == [
        ("", "---------"),
        (third.pk, "Third Film"),
        (film.pk, "We Will Not Fade Away"),
        (other.pk, "Another Film"),
    ]
    assert list(again[1][1].forms[0].fields["person"].choices) == [
        ("", "---------"),
        (aaron.pk, "Aaron Abel — Another Film, We Will Not Fade Away, Third Film"),
        (alisa.pk, "Alisa Kovalenko — We Will Not Fade Away"),
    ]
    # The order is a small number: the admin's narrow input.
    assert (
        f'<input type="number" name="award-{awards[0].pk}-0-order" value="0" min="0" class="vSmallField" '
        f'id="id_award-{awards[0].pk}-0-order">' in response.content.decode()
    )


def test_the_embargo_is_shown_in_the_editions_time_zone(client, staff, edition, competition, awards):
    client.force_login(staff)
    assert client.get(url(competition)).context["embargo"] == (
        "No announcement time is set: results became public at 19 Nov 2023, 24:00 (Europe/Amsterdam), the end "
        "of the edition’s last day."
    )
    edition.results_announced_at = datetime.datetime(2999, 11, 18, 18, 0, tzinfo=datetime.UTC)
    edition.save()
    html = client.get(url(competition)).content.decode()
    assert (
        "Results are embargoed until 18 Nov 2999, 19:00 (Europe/Amsterdam), the edition’s announcement time."
    ) in html
    competition.results_announced_at = datetime.datetime(2023, 11, 18, 18, 0, tzinfo=datetime.UTC)
    competition.save()
    assert client.get(url(competition)).context["embargo"] == (
        "Results were announced at 18 Nov 2023, 19:00 (Europe/Amsterdam), this competition’s own time, and are public."
    )


def test_the_jury_is_listed_in_its_order_and_the_awards_in_theirs(client, staff, competition, awards):
    agnes = Person.objects.create(key="agnes", name="Agnès Varda")
    wim = Person.objects.create(key="wim", name="Wim Wenders")
    JuryMember.objects.create(section=competition, person=agnes, order=1)
    JuryMember.objects.create(section=competition, person=wim, role="president", order=0)
    Award.objects.create(edition=competition.edition, section=competition, key="a-prize", name="A Prize", order=1)
    client.force_login(staff)
    response = client.get(url(competition))
    html = response.content.decode()
    assert re.findall(r"<li>([^<]+)</li>", html.split('class="results-jury"')[1].split("</section>")[0]) == [
        "Wim Wenders (President)",
        "Agnès Varda",
    ]
    # Awards in their order, those of one order by key.
    assert [award.key for award, _formset in response.context["awards"]] == ["best-film", "a-prize", "best-director"]


def test_the_page_is_for_competitions_and_linked_from_them(admin_client, section, competition, awards):
    assert admin_client.get(url(section)).status_code == 404
    page = admin_client.get(reverse("admin:films_section_change", args=[competition.pk])).content.decode()
    assert f'href="{url(competition)}"' in page
    changelist = admin_client.get(reverse("admin:films_award_changelist")).content.decode()
    assert f'href="{url(competition)}"' in changelist


def query_count(client, section):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(section))
    assert response.status_code == 200
    return len(queries)


def test_the_page_queries_do_not_grow_with_awards_and_results(client, staff, edition, competition, entries, awards):
    film, other, alisa = entries
    client.force_login(staff)
    one_award = Section.objects.create(edition=edition, key="shorts", name="Shorts", competitive=True)
    Selection.objects.create(section=one_award, film=film)
    Award.objects.create(edition=edition, section=one_award, key="best-short", name="Best Short")
    small = query_count(client, one_award)
    for index in range(4):
        award = Award.objects.create(edition=edition, section=competition, key=f"prize-{index}", name=f"Prize {index}")
        AwardResult.objects.create(award=award, film=film)
        AwardResult.objects.create(award=award, film=other, kind="special-mention")
    AwardResult.objects.create(award=awards[1], film=film, person=alisa)
    post(
        client,
        competition,
        rows(awards[0], [{"film": film.pk}]),
        rows(
            awards[1],
            [],
            [{"id": AwardResult.objects.get(award=awards[1]).pk, "film": film.pk, "person": alisa.pk, "order": "1"}],
        ),
        *(rows(award) for award in Award.objects.filter(key__startswith="prize")),
    )
    # session, user, user's and groups' permissions, section, awards, their results, selections, credits, jury,
    # recent changes
    assert small == query_count(client, competition) == 11


def test_a_result_changed_in_the_ordinary_admin_is_in_its_history_and_the_results_page(
    client, staff, competition, entries, awards
):
    _film, other, _alisa = entries
    client.force_login(staff)
    data = {"award": awards[0].pk, "film": other.pk, "kind": "special-mention", "order": "0", "_save": "Save"}
    data.update({f"citation_{code}": "" for code in ("en", "uk", "pl", "de", "nl")})
    response = client.post(reverse("admin:films_awardresult_add"), data)
    assert response.status_code == 302
    result = AwardResult.objects.get()
    history = client.get(reverse("admin:films_awardresult_history", args=[result.pk])).content.decode()
    assert "Added award result “Best Film: Another Film”." in history
    changes = client.get(url(competition)).context["changes"]
    assert [(change["user"], change["message"]) for change in changes] == [
        (staff, "Added award result “Best Film: Another Film”.")
    ]


def test_a_result_deleted_on_the_page_is_logged_before_it_goes(admin_client, admin_user, competition, entries, awards):
    film, _other, _alisa = entries
    result = AwardResult.objects.create(award=awards[0], film=film)
    response = post(
        admin_client,
        competition,
        rows(awards[0], existing=[{"id": result.pk, "film": film.pk, "DELETE": "on"}]),
        rows(awards[1]),
    )
    assert response.status_code == 302
    assert not AwardResult.objects.exists()
    result_type = ContentType.objects.get_for_model(AwardResult)
    deletion = LogEntry.objects.get(content_type=result_type)
    assert (deletion.object_id, deletion.action_flag, deletion.user) == (str(result.pk), DELETION, admin_user)
    changes = admin_client.get(url(competition)).context["changes"]
    assert [change["message"] for change in changes] == ["Deleted award result “Best Film: We Will Not Fade Away”."]


def test_awards_staff_cannot_delete_results_on_the_page(client, staff, competition, entries, awards):
    film, _other, _alisa = entries
    result = AwardResult.objects.create(award=awards[0], film=film)
    client.force_login(staff)
    response = client.get(url(competition))
    assert response.context["can_delete"] is False
    assert "DELETE" not in response.content.decode()
    post(
        client,
        competition,
        rows(awards[0], existing=[{"id": result.pk, "film": film.pk, "DELETE": "on"}]),
        rows(awards[1]),
    )
    assert AwardResult.objects.get() == result


def test_results_entered_on_the_award_page_are_in_their_own_history(admin_client, competition, entries, awards):
    film, _other, _alisa = entries
    award = awards[0]
    data = {
        "edition": award.edition_id,
        "section": competition.pk,
        "key": award.key,
        "name_en": award.name,
        "recipient": "film",
        "order": "0",
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "results-0-film": film.pk,
        "results-0-kind": "winner",
        "results-0-order": "0",
        "_save": "Save",
    }
    response = admin_client.post(reverse("admin:films_award_change", args=[award.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    result = AwardResult.objects.get()
    result_type = ContentType.objects.get_for_model(AwardResult)
    assert LogEntry.objects.get(content_type=result_type).object_id == str(result.pk)
    changes = admin_client.get(url(competition)).context["changes"]
    assert [change["message"] for change in changes] == ["Added award result “Best Film: We Will Not Fade Away”."]


def test_a_person_can_move_to_a_new_row_as_their_old_row_names_another(client, staff, competition, entries, awards):
    """The rows posted together are what is checked: the new row names what the stored row held before."""
    film, _other, alisa = entries
    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    Credit.objects.create(film=film, role="director", person=mariia, order=1)
    existing = AwardResult.objects.create(award=awards[1], film=film, person=alisa)
    client.force_login(staff)
    response = post(
        client,
        competition,
        rows(awards[0]),
        rows(
            awards[1],
            [{"film": film.pk, "person": alisa.pk, "kind": "special-mention"}],
            [{"id": existing.pk, "film": film.pk, "person": mariia.pk}],
        ),
    )
    assert response.status_code == 302, row_errors(response, awards[1])
    assert sorted(AwardResult.objects.values_list("person__key", "kind")) == [
        ("alisa-kovalenko", "special-mention"),
        ("mariia-nesterenko", "winner"),
    ]


def test_a_save_counts_every_row_added_changed_or_deleted_across_awards(
    admin_client, admin_user, competition, entries, awards
):
    film, other, alisa = entries
    doomed = AwardResult.objects.create(award=awards[0], film=film)
    kept = AwardResult.objects.create(award=awards[1], film=film, person=alisa, citation_en="For courage.")
    versions = dict(Award.objects.values_list("key", "version"))
    response = post(
        admin_client,
        competition,
        rows(awards[0], [{"film": other.pk}], [{"id": doomed.pk, "film": film.pk, "DELETE": "on"}]),
        rows(awards[1], existing=[{"id": kept.pk, "film": film.pk, "person": alisa.pk, "citation_en": "For courage."}]),
    )
    assert response.status_code == 302
    assert said(response) == ["Saved the results of “Competition”: 2 results added, changed or deleted."]
    added = AwardResult.objects.get(film=other)
    result_type = ContentType.objects.get_for_model(AwardResult)
    assert sorted(
        LogEntry.objects.filter(content_type=result_type).values_list("object_id", "action_flag", "change_message")
    ) == sorted([(str(doomed.pk), DELETION, ""), (str(added.pk), ADDITION, '[{"added": {}}]')])
    (deleted,) = reversion.models.Version.objects.get_deleted(AwardResult)
    assert deleted.revision.user == admin_user
    # The award whose results changed is at a new version; the other, untouched, is not.
    now = dict(Award.objects.values_list("key", "version"))
    assert now["best-film"] > versions["best-film"]
    assert now["best-director"] == versions["best-director"]


def test_a_deletion_alone_raises_the_awards_version(admin_client, competition, entries, awards):
    film, _other, _alisa = entries
    doomed = AwardResult.objects.create(award=awards[0], film=film)
    before = Award.objects.get(pk=awards[0].pk).version
    response = post(
        admin_client,
        competition,
        rows(awards[0], existing=[{"id": doomed.pk, "film": film.pk, "DELETE": "on"}]),
        rows(awards[1]),
    )
    assert said(response) == ["Saved the results of “Competition”: 1 result added, changed or deleted."]
    assert Award.objects.get(pk=awards[0].pk).version > before


@pytest.fixture
def third(competition):
    film = Film.objects.create(key="third-film", title="Third Film", year=2023, published=True)
    Selection.objects.create(section=competition, film=film, order=2)
    return film


@pytest.mark.parametrize("as_admin", [False, True], ids=["awards-staff", "admin-who-may-delete"])
def test_a_second_winner_after_a_mention_and_an_empty_row_is_refused(
    client, admin_client, staff, competition, entries, awards, third, as_admin
):
    film, other, _alisa = entries
    if not as_admin:
        client.force_login(staff)
    response = post(
        admin_client if as_admin else client,
        competition,
        rows(
            awards[0],
            [
                {"film": film.pk, "kind": "special-mention"},
                {"film": other.pk},
                {"film": "", "kind": "winner", "order": "0"},
                {"film": third.pk},
            ],
        ),
        rows(awards[1]),
    )
    assert response.status_code == 200
    errors = row_errors(response, awards[0])
    assert errors[3] == {"kind": ["“Best Film” already has a winner (Another Film) and does not allow ex aequo."]}
    (error,) = response.context["awards"][0][1].forms[3].errors.as_data()["kind"]
    assert error.code == "second_winner"  # What a client tells the refusals apart by.
    assert errors[:3] == [{}, {}, {}]
    assert not AwardResult.objects.exists()


def test_a_row_repeating_one_after_a_deleted_row_is_refused(admin_client, competition, entries, awards):
    film, other, _alisa = entries
    gone = AwardResult.objects.create(award=awards[0], film=film)
    response = post(
        admin_client,
        competition,
        rows(
            awards[0],
            [{"film": other.pk}, {"film": other.pk, "kind": "special-mention"}],
            [{"id": gone.pk, "film": film.pk, "DELETE": "on"}],
        ),
        rows(awards[1]),
    )
    (error,) = response.context["awards"][0][1].forms[2].errors.as_data()["__all__"]
    assert (error.code, error.messages) == (
        "duplicate_result",
        ["This row repeats an earlier row (Another Film); remove one of the two."],
    )
    assert AwardResult.objects.get() == gone


def test_a_person_award_tells_rows_apart_by_person(client, staff, competition, entries, awards):
    film, _other, alisa = entries
    mariia = Person.objects.create(key="mariia-nesterenko", name="Mariia Nesterenko")
    Credit.objects.create(film=film, role="director", person=mariia, order=1)
    client.force_login(staff)
    two_people = rows(
        awards[1],
        [{"film": film.pk, "person": alisa.pk}, {"film": film.pk, "person": mariia.pk, "kind": "special-mention"}],
    )
    twice = rows(
        awards[1],
        [{"film": film.pk, "person": alisa.pk}, {"film": film.pk, "person": alisa.pk, "kind": "special-mention"}],
    )
    refused = post(client, competition, rows(awards[0]), twice)
    assert row_errors(refused, awards[1])[1] == {
        "__all__": ["This row repeats an earlier row (We Will Not Fade Away – Alisa Kovalenko); remove one of the two."]
    }
    assert post(client, competition, rows(awards[0]), two_people).status_code == 302
    assert sorted(AwardResult.objects.values_list("person__key", flat=True)) == ["alisa-kovalenko", "mariia-nesterenko"]


def test_a_save_over_an_award_renamed_since_names_the_change_and_keeps_nothing(
    client, staff, competition, entries, awards
):
    film, _other, _alisa = entries
    award = awards[0]
    with reversion.create_revision():
        award.save()
    client.force_login(staff)
    shown = client.get(url(competition)).context["awards"][0][0].shown_version
    with reversion.create_revision():
        award.name_en = "Best Feature"
        award.save()
    data = {**rows(award, [{"film": film.pk}]), **rows(awards[1]), f"version-{award.pk}": str(shown)}
    response = client.post(url(competition), {"_save": "Save", **data})
    assert response.status_code == 200
    assert re.fullmatch(
        r"Not saved: an import or a script saved this award at \d+ \w+ \d{4}, \d\d:\d\d \(Europe/Amsterdam\), "
        r"after you opened it\. Your input is kept below\. What they changed: name \(en\): “Best Film” → "
        r"“Best Feature”\. Check it, then save again to keep your version\.",
        response.context["failure"],
    ), response.context["failure"]
    assert not AwardResult.objects.exists()


def test_a_save_racing_another_between_the_check_and_the_write_is_refused(
    client, staff, competition, entries, awards, monkeypatch
):
    """Two saves that both pass the page's version check: the write itself claims each award at its version."""
    from films.admin import results

    film, _other, _alisa = entries
    client.force_login(staff)
    shown = client.get(url(competition)).context["awards"][0][0].shown_version
    Award.objects.get(pk=awards[0].pk).save()  # The other save, committed after this one's check.
    monkeypatch.setattr(results, "conflicts", lambda data, awards: [])
    data = {**rows(awards[0], [{"film": film.pk}]), **rows(awards[1]), f"version-{awards[0].pk}": str(shown)}
    response = client.post(url(competition), {"_save": "Save", **data})
    assert response.context["failure"] == (
        "Nothing was saved: someone else changed these results at the same time. Reload the page and enter your "
        "changes again."
    )
    assert not AwardResult.objects.exists()
