"""The example catalogue for import tests (``../shared/catalogue``), and an import that must be refused whole."""

import copy
import json
from pathlib import Path

import pytest
from django.apps import apps

from films.catalogue import CatalogueError, import_catalogue

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "shared" / "catalogue" / "we-will-not-fade-away.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
FILM = "we-will-not-fade-away"


def example():
    """A fresh copy of the example catalogue, to change."""
    return copy.deepcopy(EXAMPLE)


def row_counts():
    return {model.__name__: model.objects.count() for model in apps.get_app_config("films").get_models()}


def refused(source, **options):
    """The errors of importing ``source`` (a document or a file), which must write nothing."""
    before = row_counts()
    with pytest.raises(CatalogueError) as caught:
        import_catalogue([source], **options)
    assert row_counts() == before
    return caught.value.errors
