"""scripts/run's first start: ``make_demo_festival --if-empty`` builds the demo on an empty database only.

A file of its own: tests/test_demo_festival.py keeps a demo built for its whole module.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from films.models import Edition, Film


def make_demo(*args):
    out = io.StringIO()
    call_command("make_demo_festival", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_if_empty_builds_the_demo_on_a_fresh_database_only(settings, tmp_path, edition, monkeypatch):
    """scripts/run's first start: ``--if-empty`` leaves a database that holds any edition alone, and builds the
    demo around today on an empty one."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2027, 5, 20, 8, 0, tzinfo=datetime.UTC))
    assert "no demo built" in make_demo("--if-empty")
    assert not Edition.objects.filter(key__startswith="demo-").exists()
    Edition.objects.all().delete()
    output = make_demo("--if-empty")
    assert "Demo edition demo-2027 (small, seed 1)" in output
    assert "It runs from 2027-05-18 to 2027-05-28 (Europe/Berlin)" in output
    assert Film.objects.filter(key="we-will-not-fade-away", published=True).exists()
    assert "no demo built" in make_demo("--if-empty")
