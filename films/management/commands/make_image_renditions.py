"""``manage.py make_image_renditions [--redo] [--limit N]``: derive the renditions of stored film images."""

from django.core.management.base import BaseCommand

from films.cache import bump_publication_version
from films.images import add_renditions
from films.models import FilmImage


class Command(BaseCommand):
    help = (
        "Derive the renditions (each width in WebP and JPEG) of stored film images that have none: those whose "
        "file could not be read when they were saved or migrated. One image at a time, oldest first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--redo", action="store_true", help="derive them again for every stored image")
        parser.add_argument("--limit", type=int, metavar="N", help="at most N images this run")

    def handle(self, *args, redo, limit, **options):
        made, failed = add_renditions(FilmImage, redo=redo, limit=limit, log=self.stdout.write)
        if made:
            bump_publication_version()  # rows updated without signals: the pages that show them are stale
        self.stdout.write(f"Renditions made for {made} image(s); {failed} could not be read.")
