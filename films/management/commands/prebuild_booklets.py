"""``manage.py prebuild_booklets [--edition KEY] [--whole] [--watch]``: build the printed programmes ahead of their
first request (``films/prebuild.py``)."""

import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from films.models import Edition
from films.prebuild import Watcher, editions_to_watch, prebuild_booklets, shared_cache


def stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Build the printed programme of each day and each section, in every language, of the editions that have "
        "not ended (or of --edition), where what it prints changed since it was last built. With --watch, keep "
        "running and build an edition's booklets again once a change to it has settled."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--edition", metavar="KEY", help="this published edition only (with --watch: even if it has ended)"
        )
        parser.add_argument("--whole", action="store_true", help="also the whole edition's booklet (slow)")
        parser.add_argument("--watch", action="store_true", help="keep running; build again after each change")
        parser.add_argument(
            "--language", action="append", dest="languages", metavar="CODE", help="only this language (repeatable)"
        )
        parser.add_argument(
            "--settle", type=float, default=5.0, metavar="SECONDS", help="with --watch: quiet time after a change"
        )

    def handle(self, *args, edition, whole, watch, languages, settle, **options):
        if not shared_cache():
            raise CommandError(
                "The cache is this process's own memory: booklets built here would never reach the app servers. "
                "Set CACHE_URL=redis://… as the app servers have it."
            )
        known = {code for code, _name in settings.LANGUAGES}
        if unknown := sorted(set(languages or ()) - known):
            raise CommandError(f"Unknown language(s): {', '.join(unknown)}; the site's are {', '.join(sorted(known))}.")
        named = None
        if edition:
            named = Edition.objects.published().select_related("festival").filter(key=edition).first()
            if named is None:
                raise CommandError(f"No published edition “{edition}”.")
        if watch:
            os.nice(10)  # Beside the app servers: their requests come first.
            watched = (lambda: [named]) if named else editions_to_watch
            self.stdout.write(f"Watching {edition or 'the editions that have not ended'} (Ctrl-C stops).")
            self.stdout.flush()
            previous = signal.signal(signal.SIGTERM, stop)  # As Ctrl-C: gunicorn (on_exit) or systemd stopping it.
            try:
                Watcher(settle=settle, whole=whole, languages=languages, report=self.report, editions=watched).run()
            except KeyboardInterrupt:  # Ctrl-C (a terminal's gunicorn passes it on) or SIGTERM: end without a trace.
                self.stdout.write("Stopped.")
            finally:
                signal.signal(signal.SIGTERM, previous)
            return
        for item in [named] if named else editions_to_watch():
            self.report(item, prebuild_booklets(item, languages, whole=whole))

    def report(self, edition, result):
        self.stdout.write(
            f"{edition.key}: {len(result.built)} booklet(s) built, {len(result.found)} already built and unchanged."
        )
        self.stdout.flush()
