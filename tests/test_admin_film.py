"""Programmers enter and find films in the admin: one page for titles, facts, credits and more."""

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from films.admin.common import CountryListFilter
from films.models import (
    Company,
    CompanyCredit,
    Credit,
    Festival,
    Film,
    FilmTitle,
    Person,
    PersonAlias,
    Section,
    Selection,
    Tag,
)

INLINES = ("other_titles", "credits", "company_credits", "images", "copies", "selections", "festival_history")


def inline_rows(prefix, rows):
    """POST data for one inline formset of new rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def film_form(**fields):
    data = {
        "key": "we-will-not-fade-away",
        "title_en": "We Will Not Fade Away",
        "title_uk": "Ми не згаснемо",
        "original_title": "Ми не згаснемо",
        "original_title_latin": "My ne zgasnemo",
        "year": "2023",
        "runtime_minutes": "100",
        "countries": "UA, FR, PL",
        "spoken_languages": "uk, ru",
        "form": "documentary",
        "minimum_age": "14",
        "aspect_ratio": "1.85:1",
        "picture_format": "HD",
        "colour": "colour",
        "tagline_en": "“I don’t remember a single year in my life as well as 2014.”",
        "synopsis_en": "Five teenagers from the Donbas set out for the Himalayas.",
        "published": "on",
        "_save": "Save",
    }
    data.update(fields)
    for prefix in INLINES:
        if f"{prefix}-TOTAL_FORMS" not in data:
            data.update(inline_rows(prefix, []))
    return data


@pytest.fixture
def programmer(db):
    user = User.objects.create_user("programmer", password="programmer-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="films"))
    return user


@pytest.fixture
def people_and_companies(db):
    names = {
        "alisa-kovalenko": "Alisa Kovalenko",
        "valery-kalmykov": "Valery Kalmykov",
        "katarzyna-kuczynska": "Katarzyna Kuczyńska",
    }
    people = {key: Person.objects.create(key=key, name=name) for key, name in names.items()}
    companies = {
        "trueman-production": Company.objects.create(key="trueman-production", name="Trueman Production", country="UA"),
        "haka-films": Company.objects.create(key="haka-films", name="HAKA Films", country="PL"),
        "stranger-films-sales": Company.objects.create(key="stranger-films-sales", name="Stranger Films Sales"),
    }
    return people, companies


def test_programmer_enters_the_example_film_by_hand(client, programmer, people_and_companies):
    people, companies = people_and_companies
    war = Tag.objects.create(key="war", name="War")
    client.force_login(programmer)
    data = film_form(tags=[str(war.pk)])
    data.update(
        inline_rows(
            "other_titles",
            [
                {"title": "Expedition 49", "language": "en", "order": "0"},
                {"title": "Експедиція 49", "language": "uk", "order": "1"},
                {"title": "Мы не погаснем", "language": "ru", "order": "2"},
            ],
        )
    )
    data.update(
        inline_rows(
            "credits",
            [
                {"role": "director", "person": people["alisa-kovalenko"].pk, "company": "", "order": "0"},
                {
                    "role": "producer",
                    "person": people["valery-kalmykov"].pk,
                    "company": companies["trueman-production"].pk,
                    "order": "1",
                },
                {
                    "role": "co-producer",
                    "person": people["katarzyna-kuczynska"].pk,
                    "company": companies["haka-films"].pk,
                    "order": "2",
                },
            ],
        )
    )
    data.update(
        inline_rows(
            "company_credits",
            [
                {"role": "production", "company": companies["trueman-production"].pk, "order": "0"},
                {"role": "co-production", "company": companies["haka-films"].pk, "order": "1"},
                {"role": "world-sales", "company": companies["stranger-films-sales"].pk, "order": "2"},
                {"role": "screening-copy", "company": companies["stranger-films-sales"].pk, "order": "3"},
            ],
        )
    )
    response = client.post(reverse("admin:films_film_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    film = Film.objects.get(key="we-will-not-fade-away")
    assert (film.title_en, film.title_uk, film.title_pl) == ("We Will Not Fade Away", "Ми не згаснемо", None)
    assert (film.original_title, film.original_title_latin) == ("Ми не згаснемо", "My ne zgasnemo")
    assert (film.year, film.runtime_minutes, film.minimum_age, film.form) == (2023, 100, 14, "documentary")
    assert film.countries == ["UA", "FR", "PL"]
    assert film.spoken_languages == ["uk", "ru"]
    assert (film.aspect_ratio, film.picture_format, film.colour) == ("1.85:1", "HD", "colour")
    assert film.tagline_en == "“I don’t remember a single year in my life as well as 2014.”"
    assert film.published is True
    assert list(film.tags.values_list("key", flat=True)) == ["war"]
    assert list(film.other_titles.values_list("title", "language")) == [
        ("Expedition 49", "en"),
        ("Експедиція 49", "uk"),
        ("Мы не погаснем", "ru"),
    ]
    assert [str(credit) for credit in film.credits.select_related("person", "company")] == [
        "Director: Alisa Kovalenko",
        "Producer: Valery Kalmykov for Trueman Production",
        "Co-producer: Katarzyna Kuczyńska for HAKA Films",
    ]
    assert list(film.company_credits.values_list("role", "company__key")) == [
        ("production", "trueman-production"),
        ("co-production", "haka-films"),
        ("world-sales", "stranger-films-sales"),
        ("screening-copy", "stranger-films-sales"),
    ]


def errors_of(response):
    """Field errors of the main form and non-form errors of the inlines, as plain text."""
    form = response.context["adminform"].form
    inline_errors = [
        str(error)
        for formset in response.context["inline_admin_formsets"]
        for error in formset.formset.non_form_errors()
    ]
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}, inline_errors


def test_unknown_country_code_is_named_and_nothing_is_saved(admin_client):
    response = admin_client.post(reverse("admin:films_film_add"), film_form(countries="UA, XX"))
    assert response.status_code == 200
    field_errors, _inline = errors_of(response)
    assert field_errors == {"countries": ["Unknown country code: XX."]}
    assert Film.objects.count() == 0


def test_runtime_of_zero_is_refused_with_its_reason(admin_client):
    response = admin_client.post(reverse("admin:films_film_add"), film_form(runtime_minutes="0"))
    field_errors, _inline = errors_of(response)
    assert field_errors == {
        "runtime_minutes": ["A runtime of 0 minutes is not plausible; give the length in minutes (1 to 1500)."]
    }
    assert Film.objects.count() == 0


def test_the_same_credit_twice_is_refused_naming_person_and_role(admin_client, people_and_companies):
    people, companies = people_and_companies
    valery = people["valery-kalmykov"].pk
    data = film_form()
    data.update(
        inline_rows(
            "credits",
            [
                {"role": "producer", "person": valery, "company": companies["trueman-production"].pk, "order": "0"},
                {"role": "producer", "person": valery, "company": "", "order": "1"},
            ],
        )
    )
    response = admin_client.post(reverse("admin:films_film_add"), data)
    assert response.status_code == 200
    field_errors, inline_errors = errors_of(response)
    assert field_errors == {}
    assert inline_errors == ["Valery Kalmykov is credited twice as Producer; remove one of the two rows."]
    assert Film.objects.count() == 0
    assert Credit.objects.count() == 0
    assert "Valery Kalmykov is credited twice as Producer; remove one of the two rows." in response.content.decode()


def make_films(count, section):
    festival = Festival.objects.create(key="berlinale", name="Berlinale")
    tag = Tag.objects.create(key="war", name="War")
    person = Person.objects.create(key="alisa-kovalenko", name="Alisa Kovalenko")
    companies = [Company.objects.create(key=f"company-{n}", name=f"Company {n}") for n in range(count)]
    films = []
    for n in range(count):
        film = Film.objects.create(
            key=f"film-{n}", title=f"Film {n}", year=2020 + n, runtime_minutes=90, countries=["UA", "FR"]
        )
        film.tags.add(tag)
        helper = Person.objects.create(key=f"person-{n}", name=f"Person {n}")
        Credit.objects.create(film=film, role="director", person=person, company=companies[n])
        Credit.objects.create(film=film, role="editing", person=helper, company=companies[n], order=1)
        CompanyCredit.objects.create(film=film, role="production", company=companies[n])
        FilmTitle.objects.create(film=film, title=f"Фільм {n}", language="uk")
        Selection.objects.create(film=film, section=section, order=n)
        film.festival_history.create(festival=festival, year=2023)
        films.append(film)
    return films


@pytest.mark.parametrize("count", [1, 5])
def test_film_changelist_query_count_does_not_grow_with_films(admin_client, section, count, django_assert_num_queries):
    make_films(count, section)
    # session, user, 5 list filters (edition, section, country, year; form needs none), count, total, rows
    with django_assert_num_queries(9):
        response = admin_client.get(reverse("admin:films_film_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [1, 5])
def test_film_change_page_query_count_does_not_grow_with_credits(
    admin_client, section, count, django_assert_num_queries
):
    film = make_films(1, section)[0]
    for n in range(1, count):
        extra = Person.objects.create(key=f"cast-{n}", name=f"Cast {n}")
        Credit.objects.create(film=film, role="cast", person=extra, company=Company.objects.first(), order=n + 1)
        FilmTitle.objects.create(film=film, title=f"Title {n}", language="en")
        CompanyCredit.objects.create(
            film=film, role="tv-channel", company=Company.objects.create(key=f"tv-{n}", name=f"TV {n}")
        )
        Selection.objects.create(
            film=film, section=Section.objects.create(edition=section.edition, key=f"s{n}", name=f"S{n}")
        )
        film.festival_history.create(festival=Festival.objects.create(key=f"f{n}", name=f"F{n}"), year=2023)
    ContentType.objects.clear_cache()  # The same cold cache whichever test runs first.
    # session, user, film, its tags (form value), 7 inline querysets, content type, its tags (autocomplete labels)
    with django_assert_num_queries(13):
        response = admin_client.get(reverse("admin:films_film_change", args=[film.pk]))
    html = response.content.decode()
    assert "Alisa Kovalenko" in html
    assert html.count('name="credits-') > count


@pytest.mark.parametrize(
    "term",
    ["Fade Away", "згаснемо", "zgasnemo", "Expedition 49", "Мы не погаснем", "Kalmykov", "Valeriy Kalmykov"],
)
def test_film_search_finds_any_title_in_any_script_and_credited_people(admin_client, film, term):
    film.title_uk = "Ми не згаснемо"
    film.save()
    FilmTitle.objects.create(film=film, title="Expedition 49", language="en")
    FilmTitle.objects.create(film=film, title="Мы не погаснем", language="ru")
    valery = Person.objects.create(key="valery-kalmykov", name="Valery Kalmykov")
    PersonAlias.objects.create(person=valery, name="Valeriy Kalmykov")
    Credit.objects.create(film=film, role="producer", person=valery)
    Film.objects.create(key="other", title="Another film")
    response = admin_client.get(reverse("admin:films_film_changelist"), {"q": term})
    assert [row.key for row in response.context["cl"].result_list] == ["we-will-not-fade-away"]


def test_film_filters_by_country_code_present_and_by_edition(admin_client, section, film, next_edition):
    film.countries = ["UA", "FR", "PL"]
    film.save()
    dutch = Film.objects.create(key="dutch", title="Dutch film", countries=["NL"])
    Selection.objects.create(section=section, film=film)
    # A filter with a single choice is hidden (and ignored) by Django, so give it a second edition.
    later = next_edition
    Selection.objects.create(section=Section.objects.create(edition=later, key="luminous", name="Luminous"), film=dutch)
    url = reverse("admin:films_film_changelist")
    response = admin_client.get(url)
    country_filter = next(spec for spec in response.context["cl"].filter_specs if isinstance(spec, CountryListFilter))
    assert [code for code, _label in country_filter.lookup_choices] == ["FR", "NL", "PL", "UA"]
    assert [f.key for f in admin_client.get(url, {"country": "PL"}).context["cl"].result_list] == [film.key]
    assert [f.key for f in admin_client.get(url, {"country": "NL"}).context["cl"].result_list] == ["dutch"]
    assert list(admin_client.get(url, {"country": "L"}).context["cl"].result_list) == []
    by_edition = admin_client.get(url, {"selections__section__edition__id__exact": section.edition_id})
    assert [f.key for f in by_edition.context["cl"].result_list] == [film.key]
    by_later_edition = admin_client.get(url, {"selections__section__edition__id__exact": later.pk})
    assert [f.key for f in by_later_edition.context["cl"].result_list] == ["dutch"]
