"""``manage.py import_catalogue FILE [FILE ...]``: import catalogue files all or nothing, and say what changed."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from films.catalogue import CatalogueError, import_catalogue


class Command(BaseCommand):
    help = "Import festival catalogue files (the JSON exchange format, version 1). Any error: nothing is written."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="catalogue files, imported together")
        parser.add_argument("--dry-run", action="store_true", help="check and report, but write nothing")
        parser.add_argument(
            "--fetch-images", action="store_true", help="download images given as URLs (otherwise only recorded)"
        )

    def handle(self, *args, files, dry_run, fetch_images, **options):
        try:
            report = import_catalogue(files, dry_run=dry_run, fetch_images=fetch_images)
        except CatalogueError as error:
            for message in error.errors:
                self.stderr.write(message)
            count = len(error.errors)
            raise CommandError(
                _("The catalogue was not imported: %(count)s error(s); nothing was written.") % {"count": count}
            ) from None
        self.stdout.write(report.summary())
