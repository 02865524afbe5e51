"""``manage.py export_catalogue [--edition KEY ...] [--output FILE] [--include-embargoed]``: the catalogue as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from films.catalogue import CatalogueError, export_catalogue


class Command(BaseCommand):
    help = "Export the catalogue in the JSON exchange format (version 1): everything, or the editions named."

    def add_arguments(self, parser):
        parser.add_argument(
            "--edition", action="append", dest="editions", metavar="KEY", help="export this edition (repeatable)"
        )
        parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
        parser.add_argument(
            "--include-embargoed",
            action="store_true",
            help="include award results not announced yet (for staff backups and round trips)",
        )

    def handle(self, *args, editions, output, include_embargoed, **options):
        try:
            document = export_catalogue(edition_keys=editions, include_embargoed=include_embargoed)
        except CatalogueError as error:
            raise CommandError("\n".join(error.errors)) from None
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(problem)s") % {"file": output, "problem": error}
                ) from None
        else:
            self.stdout.write(text, ending="")
