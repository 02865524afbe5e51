"""Images of a catalogue: local, already stored or fetched from a URL; checked before anything is written."""

import hashlib
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from ...images import checked_extension
from ...models import FilmImage
from .values import languages, merged_translations

# An image fetched from a URL (only with fetch_images=True) may be at most this large.
MAX_FETCHED_IMAGE_BYTES = 15 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 20


class ImageMixin:
    """Reading, checking and storing the images (people's photos, films' images) of an import."""

    def check_image(self, item, name):
        """Read and check a local image now, so that a bad one stops the import before anything is written."""
        src = item[name]
        path = item.path(name)
        if src.startswith(("http://", "https://")):
            if not self.fetch_images:
                return {"remote": src}
            content = self.fetch(path, src)
            label = Path(urllib.parse.urlsplit(src).path).name or "image"
        elif src.startswith(settings.MEDIA_URL) and default_storage.exists(src[len(settings.MEDIA_URL) :]):
            stored = src[len(settings.MEDIA_URL) :]
            with default_storage.open(stored) as handle:
                content = handle.read()
            return {"stored": stored, "hash": hashlib.sha256(content).hexdigest()}
        else:
            if item.base_dir is None:
                self.error(path, _("a relative image path needs a catalogue file to be relative to"))
                return None
            file_path = item.base_dir / src
            if not file_path.is_file():
                self.error(path, _('no image file "%(src)s" next to the catalogue') % {"src": src})
                return None
            content = file_path.read_bytes()
            label = file_path.name
        if content is None:
            return None
        try:
            extension = checked_extension(ContentFile(content))
        except ValidationError as error:
            for message in error.messages:
                self.error(path, message)
            return None
        if not Path(label).suffix:
            label = f"{label}.{extension}"  # An address that names no file, or a file without an extension.
        return {"content": content, "name": label, "hash": hashlib.sha256(content).hexdigest()}

    def fetch(self, path, src):
        try:
            # Not mutated: a time limit that no test waits for; and reading one byte past the limit, or more, or
            # all, tells alike that a picture is too large.
            with urllib.request.urlopen(src, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (http/https only)  # pragma: no mutate
                content = response.read(MAX_FETCHED_IMAGE_BYTES + 1)  # pragma: no mutate
        except (OSError, ValueError) as error:
            self.error(path, _("could not fetch %(src)s: %(problem)s") % {"src": src, "problem": error})
            return None
        if len(content) > MAX_FETCHED_IMAGE_BYTES:
            self.error(
                path,
                _("the image at %(src)s is larger than %(max)s MB")
                % {
                    "src": src,
                    "max": MAX_FETCHED_IMAGE_BYTES // 1_048_576,
                },
            )
            return None
        return content

    def same_stored_file(self, file_field, image):
        if not file_field:
            return False
        if "stored" in image:
            return file_field.name == image["stored"]
        try:
            with default_storage.open(file_field.name) as handle:
                return hashlib.sha256(handle.read()).hexdigest() == image["hash"]
        except OSError:
            return False

    def attach_file(self, instance, name, image):
        if "stored" in image:
            setattr(instance, name, image["stored"])
            return
        # Not mutated: save=None would not save the record either.
        getattr(instance, name).save(image["name"], ContentFile(image["content"]), save=False)  # pragma: no mutate
        self.stored_files.append(getattr(instance, name).name)

    def image_identity(self, row):
        digest = None
        if row.image:
            try:
                with row.image.open("rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                digest = "unreadable"  # pragma: no mutate - any text that no picture's hash can equal
        captions = tuple(getattr(row, build_localized_fieldname("caption", code)) or None for code in languages())
        return (row.kind, digest, row.source_url, captions, row.photographer)

    def want_images(self, key, item, stored=()):
        """The film's images as ``image_identity`` describes them: an unfetched URL by its address.

        An image that is already stored (same kind and picture, or same address) keeps its caption in the
        languages the file leaves out (``stored``: the film's images as ``image_identity`` describes them).
        """
        old_captions = {}
        for kind, digest, source_url, captions, _photographer in stored:
            old_captions.setdefault((kind, digest, source_url), captions)
        wanted = []
        # One checked image per image of the file (stage 2 checked every film that gives images).
        images = self.film_images[key]
        for image, image_item in zip(images, item.children("images"), strict=True):  # pragma: no mutate - as many
            if image is None:
                return None
            if "remote" in image:
                self.report.images_not_fetched.append((image_item.path("src"), image["remote"]))
            identity = (image_item["kind"], image.get("hash"), image.get("remote", ""))
            captions = merged_translations(image_item.get("caption"), old_captions.get(identity))
            wanted.append(
                (
                    image_item["kind"],
                    image.get("hash"),
                    image.get("remote", ""),
                    captions,
                    image_item.get("photographer", ""),
                )
            )
        return tuple(wanted)

    def replace_images(self, film, item, wanted, created):
        if not created:
            self.delete_rows(film.images.all())
        rows = []
        for order, (image, image_item, identity) in enumerate(
            zip(self.film_images[film.key], item.children("images"), wanted, strict=True)  # pragma: no mutate - as many
        ):
            captions = identity[3]
            row = FilmImage(
                film=film,
                kind=image_item["kind"],
                photographer=image_item.get("photographer", ""),
                order=order,
                **{
                    build_localized_fieldname("caption", code): text
                    for code, text in zip(languages(), captions, strict=True)  # pragma: no mutate - one per language
                },
            )
            if "remote" in image:
                row.source_url = image["remote"]
            elif "stored" in image:
                row.image = image["stored"]
            else:
                row.image = ContentFile(image["content"], name=image["name"])
            rows.append(row)
        self.bulk_create(FilmImage, rows, item.children("images"))

    def describe_images(self, row):
        kind, digest, source_url, captions, photographer = row
        picture = (
            source_url or "image " + (digest or "?")[:12]
        )  # pragma: no mutate - "?": a row has a file or an address
        text = f"{kind}: {picture}"
        if photographer:
            text += f" ({photographer})"
        for code, caption in zip(languages(), captions, strict=True):  # pragma: no mutate - one per language
            if caption:
                text += f" [{code}] {caption}"
        return text
