"""scripts/run's first start: ``make_demo_festival --if-empty`` builds the demo on an empty database only.

A file of its own: tests/test_demo_festival.py keeps a demo built for its whole module.
"""

import io

import pytest
from django.core.management import call_command

from films.models import Edition, Film


def make_demo(*args):
    out = io.StringIO()
    call_command("make_demo_festival", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_if_empty_builds_the_demo_on_a_fresh_database_only(settings, tmp_path, edition):
    """scripts/run's first start: ``--if-empty`` leaves a database that holds any edition alone."""
    settings.MEDIA_ROOT = tmp_path
    assert "no demo built" in make_demo("--if-empty")
    assert not Edition.objects.filter(key="demo-2026").exists()
    Edition.objects.all().delete()
    assert "Demo edition demo-2026 (small, seed 1)" in make_demo("--if-empty")
    assert Film.objects.filter(key="we-will-not-fade-away", published=True).exists()
    assert "no demo built" in make_demo("--if-empty")
