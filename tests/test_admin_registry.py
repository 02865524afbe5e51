"""Every model of the programme is editable in the admin, and the admin loads nothing from a CDN."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.translator import translator

FILMS_MODELS = sorted(apps.get_app_config("films").get_models(), key=lambda model: model._meta.model_name)


@pytest.mark.parametrize("model", FILMS_MODELS, ids=lambda model: model._meta.model_name)
def test_every_films_model_has_a_working_changelist_and_add_page(admin_client, model):
    assert model in admin.site._registry
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == 200


@pytest.mark.parametrize("model", translator.get_registered_models(abstract=False), ids=lambda m: m._meta.model_name)
def test_translated_models_use_the_tabbed_translation_admin(model):
    assert isinstance(admin.site._registry[model], TabbedTranslationAdmin)


def test_film_change_page_loads_only_local_scripts(admin_client, film):
    response = admin_client.get(reverse("admin:films_film_change", args=[film.pk]))
    html = response.content.decode()
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert "/static/vendor/jquery-ui/jquery-ui.min.js" in sources
    assert "/static/modeltranslation/js/tabbed_translation_fields.js" in sources
    # Same-origin paths only: our static files and the admin's own JavaScript catalogue.
    assert all(source.startswith(("/static/", "/admin/jsi18n/")) for source in sources), sources
    assert "googleapis" not in html
    assert "//ajax." not in html
    assert not re.search(r'<link[^>]+href="(https?:)?//', html)


def test_film_add_page_shows_a_tab_per_language_for_the_title(admin_client):
    html = admin_client.get(reverse("admin:films_film_add")).content.decode()
    for code in ("en", "uk", "pl", "de", "nl"):
        assert f'name="title_{code}"' in html
    assert 'name="title"' not in html
