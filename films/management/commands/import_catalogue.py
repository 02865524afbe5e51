"""``manage.py import_catalogue FILE [FILE ...]``: import catalogue files all or nothing, and say what changed.

``--dry-run`` lists what the import would do, every field it would change in existing records with the old and
new value (flagging what it would clear or shorten), and ends with the plan's fingerprint; passing that to
``--expect-fingerprint`` imports only if the import would still do exactly that.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from films.catalogue import CatalogueError, StalePreviewError, import_catalogue


class Command(BaseCommand):
    help = "Import festival catalogue files (the JSON exchange format, version 1). Any error: nothing is written."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="catalogue files, imported together")
        parser.add_argument("--dry-run", action="store_true", help="check and list every change, but write nothing")
        parser.add_argument(
            "--fetch-images", action="store_true", help="download images given as URLs (otherwise only recorded)"
        )
        parser.add_argument(
            "--expect-fingerprint",
            metavar="FINGERPRINT",
            help="import only if the import would do exactly what the dry run that printed this fingerprint listed",
        )

    def handle(self, *args, files, dry_run, fetch_images, expect_fingerprint, **options):
        try:
            report = import_catalogue(
                files, dry_run=dry_run, fetch_images=fetch_images, expected_fingerprint=expect_fingerprint
            )
        except StalePreviewError as error:
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(_("The catalogue was not imported; nothing was written.")) from None
        except CatalogueError as error:
            for message in error.errors:
                self.stderr.write(message)
            count = len(error.errors)
            raise CommandError(
                _("The catalogue was not imported: %(count)s error(s); nothing was written.") % {"count": count}
            ) from None
        self.stdout.write(report.summary())
        if dry_run:
            self.stdout.write(
                _("Fingerprint of this plan (for --expect-fingerprint): %(fingerprint)s")
                % {"fingerprint": report.fingerprint}
            )
