"""Printed programmes built ahead of their first request (films/prebuild.py, ``manage.py prebuild_booklets``).

On the example film's edition (IDFA 2023, 8 to 19 November, one published screening on the 12th in Best of Fests):
each day's and each section's booklet is built once per language, a visitor then waits for no WeasyPrint, and after
a change only the booklets that print it are built again. WeasyPrint's builds are counted where it writes a PDF.
"""

import datetime
import io
import os
import signal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings

from films.catalogue import import_catalogue
from films.models import Edition, Screening, Section
from films.prebuild import Watcher, booklets, editions_to_watch, lock_name, prebuild_booklets
from films.programme_pdf import weasyprint

from .test_programme_pdf import DAY_URL, EXAMPLE

DAYS = [f"2023-11-{day:02d}" for day in range(8, 20)]
REDIS = {"default": {"BACKEND": "festival.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def example(db):
    """The example film's edition as its catalogue file has it."""
    import_catalogue([EXAMPLE])
    return Edition.objects.select_related("festival").get(key="idfa-2023")


@pytest.fixture
def builds(monkeypatch):
    """The PDFs WeasyPrint writes, counted."""
    made = []
    html = weasyprint().HTML
    write_pdf = html.write_pdf

    def counted(self, *args, **kwargs):
        made.append(self)
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(html, "write_pdf", counted)
    return made


@pytest.fixture
def sections(example):
    """The published sections' keys, in programme order (the booklets' order)."""
    Section.objects.create(edition=example, key="shorts", name="Shorts", order=99, published=True)
    Section.objects.create(edition=example, key="draft-section", name="Draft", order=100, published=False)
    return list(
        Section.objects.filter(edition=example, published=True).order_by("order", "key").values_list("key", flat=True)
    )


def move(screening, **delta):
    screening.starts_at += datetime.timedelta(**delta)
    screening.ends_at += datetime.timedelta(**delta)
    screening.save()


def test_the_booklets_are_each_day_and_each_published_section_and_the_whole_edition_if_asked(example, sections):
    assert sections[-1] == "shorts"
    assert "draft-section" not in sections
    assert [label for label, _chosen in booklets(example)] == [*DAYS, *sections]
    listed = list(booklets(example, whole=True))
    assert listed[0] == ("2023-11-08", {"day": datetime.date(2023, 11, 8)})
    assert listed[len(DAYS)] == (sections[0], {"section": sections[0]})
    assert listed[-1] == ("whole", {})


def test_each_booklet_is_built_once_in_each_language(example, sections, builds):
    expected = [(language, label) for language in ("en", "uk") for label in [*DAYS, *sections]]
    first = prebuild_booklets(example, ["en", "uk"])
    assert (first.built, first.found) == (expected, [])
    assert len(builds) == len(expected)
    again = prebuild_booklets(example, ["en", "uk"])
    assert (again.built, again.found) == ([], expected)
    assert len(builds) == len(expected)  # Found by their digest: none built again.


def test_a_visitor_after_the_prebuild_waits_for_no_booklet(client, example, sections, builds):
    prebuild_booklets(example, ["en"])
    builds.clear()
    response = client.get(DAY_URL.format(lang="en"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert builds == []
    assert client.get(DAY_URL.format(lang="uk")).status_code == 200  # Not built ahead in Ukrainian:
    assert len(builds) == 1  # that visitor waits for it.


def test_after_a_move_only_the_booklets_that_print_it_are_built_again(example, sections, builds):
    prebuild_booklets(example, ["en"])
    screening = Screening.objects.get(edition=example, published=True)
    move(screening, days=1)  # From Sunday the 12th to Monday the 13th, in Best of Fests.
    result = prebuild_booklets(example, ["en"])
    assert result.built == [("en", "2023-11-12"), ("en", "2023-11-13"), ("en", "best-of-fests")]
    assert len(result.found) == len(DAYS) + len(sections) - 3
    move(screening, minutes=5)  # The same day: that day and the section.
    assert prebuild_booklets(example, ["en"]).built == [("en", "2023-11-13"), ("en", "best-of-fests")]


def test_the_editions_watched_are_the_published_ones_not_yet_over(example):
    assert editions_to_watch(today=datetime.date(2023, 11, 1)) == [example]
    assert editions_to_watch(today=datetime.date(2023, 11, 20)) == [example]  # The day after its last.
    assert editions_to_watch(today=datetime.date(2023, 11, 21)) == []
    example.published = False
    example.save()
    assert editions_to_watch(today=datetime.date(2023, 11, 1)) == []


def test_the_watcher_builds_at_once_then_after_each_change_has_settled(
    example, sections, django_capture_on_commit_callbacks
):
    reports = []
    watcher = Watcher(
        settle=5, languages=["en"], editions=lambda: [example], report=lambda edition, result: reports.append(
            (edition.key, len(result.built))
        )
    )  # fmt: skip
    watcher.step(now=100)  # The first round: nothing says what is built.
    assert reports == [("idfa-2023", len(DAYS) + len(sections))]
    watcher.step(now=101)
    assert len(reports) == 1
    screening = Screening.objects.get(edition=example, published=True)
    with django_capture_on_commit_callbacks(execute=True):  # Invalidation happens once a change commits.
        move(screening, hours=1)
    watcher.step(now=102)  # Seen; the programmer may still be at work.
    watcher.step(now=106.9)
    assert len(reports) == 1
    with django_capture_on_commit_callbacks(execute=True):
        move(screening, hours=1)  # Another change: the wait starts again.
    watcher.step(now=107)
    watcher.step(now=111.9)
    assert len(reports) == 1
    watcher.step(now=112)
    assert reports[-1] == ("idfa-2023", 2)  # Its day and its section.
    watcher.step(now=200)
    assert len(reports) == 2


def test_a_watcher_leaves_an_edition_another_one_is_building(example, sections):
    reports = []
    watcher = Watcher(settle=0, languages=["en"], editions=lambda: [example], report=lambda *found: reports.append(1))
    assert cache.add(lock_name(example), True)  # Another app server's watcher is at it.
    watcher.step(now=1)
    assert reports == []
    cache.delete(lock_name(example))
    watcher.step(now=2)
    assert reports == [1]
    assert cache.get(lock_name(example)) is None  # Released once built.


def test_the_command_needs_the_shared_cache_and_known_languages(example):
    with pytest.raises(CommandError, match="CACHE_URL=redis://"):
        call_command("prebuild_booklets")
    with override_settings(CACHES=REDIS), pytest.raises(CommandError, match=r"Unknown language\(s\): xx"):
        call_command("prebuild_booklets", "--language", "xx")


@override_settings(CACHES=REDIS)
def test_the_command_builds_an_editions_booklets_into_the_shared_cache(example, sections):
    cache.clear()
    try:
        out = io.StringIO()
        call_command("prebuild_booklets", "--edition", "idfa-2023", "--language", "en", stdout=out)
        count = len(DAYS) + len(sections)
        assert out.getvalue() == f"idfa-2023: {count} booklet(s) built, 0 already built and unchanged.\n"
        out = io.StringIO()
        call_command("prebuild_booklets", "--edition", "idfa-2023", "--language", "en", stdout=out)
        assert out.getvalue() == f"idfa-2023: 0 booklet(s) built, {count} already built and unchanged.\n"
        with pytest.raises(CommandError, match="No published edition “idfa-2024”"):
            call_command("prebuild_booklets", "--edition", "idfa-2024")
    finally:
        cache.clear()


@override_settings(CACHES=REDIS)
def test_the_watch_covers_the_editions_not_over_or_the_one_named_even_if_over(example, monkeypatch):
    watched = []
    monkeypatch.setattr(os, "nice", lambda increment: None)
    monkeypatch.setattr(Watcher, "run", lambda self: watched.append((self.editions(), self.settle, self.languages)))
    out = io.StringIO()
    call_command("prebuild_booklets", "--watch", "--edition", "idfa-2023", "--settle", "2", stdout=out)
    assert watched.pop() == ([example], 2.0, None)
    assert out.getvalue() == "Watching idfa-2023 (Ctrl-C stops).\n"
    call_command("prebuild_booklets", "--watch", "--language", "uk", stdout=io.StringIO())
    editions, _settle, languages = watched.pop()
    assert languages == ["uk"]
    assert editions == editions_to_watch()  # IDFA 2023 is over: none.
    assert editions == []


def test_a_failed_round_is_logged_and_the_next_one_builds(example, sections, caplog):
    """The database or Redis away for a moment must not end the watcher."""
    reports, asked = [], []

    def editions():
        asked.append(1)
        if len(asked) == 1:
            raise ConnectionError("Redis is away")
        return [example]

    watcher = Watcher(settle=0, languages=["en"], editions=editions, report=lambda *found: reports.append(found))
    watcher.run(interval=0, rounds=2)
    assert len(asked) == 2
    assert [record.getMessage() for record in caplog.records if record.name == "films.prebuild"] == [
        "Building the printed programmes ahead failed; trying again in 0 s."
    ]
    assert [(edition, len(result.built)) for edition, result in reports] == [(example, len(DAYS) + len(sections))]


@override_settings(CACHES=REDIS)
def test_ctrl_c_stops_the_watch_quietly(example, monkeypatch):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "nice", lambda increment: None)
    monkeypatch.setattr(Watcher, "run", interrupted)
    out = io.StringIO()
    handler = signal.getsignal(signal.SIGTERM)
    call_command("prebuild_booklets", "--watch", stdout=out)
    assert out.getvalue() == "Watching the editions that have not ended (Ctrl-C stops).\nStopped.\n"
    assert signal.getsignal(signal.SIGTERM) is handler  # As it was, once the watch ended.
