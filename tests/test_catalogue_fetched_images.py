"""Images given as addresses, fetched when the import is asked to (``--fetch-images``): stored like a local file,
or refused with the address and what went wrong (not found, unreachable, too large, not an image), nothing
written. And an image named next to the catalogue that is not there."""

import copy
import http.server
import io
import json
import threading

import pytest
from PIL import Image

from films.catalogue import import_catalogue
from films.catalogue.importer.images import MAX_FETCHED_IMAGE_BYTES
from films.models import FilmImage, Person
from tests.catalogue import example, refused

pytestmark = pytest.mark.django_db


def png_bytes(size=(48, 27)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


class Images(http.server.BaseHTTPRequestHandler):
    files = {
        "/stills/still.png": png_bytes(),
        "/photos/portrait.png": png_bytes((30, 40)),
        "/text.png": b"this is not a picture",
        "/huge.png": b"\0" * (MAX_FETCHED_IMAGE_BYTES + 1),
        "/limit.png": b"\0" * MAX_FETCHED_IMAGE_BYTES,
        "/": png_bytes((16, 9)),
    }
    asked = []

    def do_GET(self):
        self.asked.append(self.path)
        body = self.files.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Images.asked = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Images)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_image_and_a_photo_given_by_address_are_fetched_and_stored_when_asked(server):
    document = example()
    document["films"][0]["images"] = [{"kind": "still", "src": f"{server}/stills/still.png?width=1280"}]
    document["people"][0]["photo"] = f"{server}/photos/portrait.png"
    report = import_catalogue([copy.deepcopy(document)], fetch_images=True)
    assert report.images_not_fetched == []
    image = FilmImage.objects.get()
    assert (image.kind, image.width, image.height, image.source_url) == ("still", 48, 27, "")
    assert image.image.name == "films/images/still.png"
    assert Person.objects.get(key="alisa-kovalenko").photo.name == "people/portrait.png"
    assert sorted(Images.asked) == ["/photos/portrait.png", "/stills/still.png?width=1280"]
    # Fetched again, the same picture changes nothing.
    assert import_catalogue([document], fetch_images=True).changed_nothing


def test_an_image_given_by_address_is_only_recorded_unless_fetching_is_asked(server):
    document = example()
    document["films"][0]["images"] = [{"kind": "still", "src": f"{server}/stills/still.png"}]
    report = import_catalogue([document])
    assert report.images_not_fetched == [("films[0].images[0].src", f"{server}/stills/still.png")]
    assert (FilmImage.objects.get().source_url, Images.asked) == (f"{server}/stills/still.png", [])


def test_images_that_cannot_be_fetched_are_refused_with_their_address_and_why(server):
    document = example()
    document["films"][0]["images"] = [
        {"kind": "still", "src": f"{server}/missing.png"},
        {"kind": "still", "src": f"{server}/huge.png"},
        {"kind": "poster", "src": f"{server}/text.png"},
        {"kind": "still", "src": f"{server}/limit.png"},
    ]
    document["people"][0]["photo"] = "http://127.0.0.1:9/closed.png"
    assert refused(document, fetch_images=True) == [
        "people[0].photo: could not fetch http://127.0.0.1:9/closed.png: "
        "<urlopen error [Errno 111] Connection refused>",
        f"films[0].images[0].src: could not fetch {server}/missing.png: HTTP Error 404: Not Found",
        f"films[0].images[1].src: the image at {server}/huge.png is larger than 15 MB",
        "films[0].images[2].src: The file is not an image or is damaged; upload a JPEG, PNG or WebP file.",
        # Exactly at the limit: fetched whole, and then found not to be a picture.
        "films[0].images[3].src: The file is not an image or is damaged; upload a JPEG, PNG or WebP file.",
    ]


def test_an_image_named_next_to_the_catalogue_that_is_not_there_is_refused(tmp_path):
    document = example()
    document["films"][0]["images"] = [{"kind": "poster", "src": "posters/missing.png"}]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert refused(path) == ['films[0].images[0].src: no image file "posters/missing.png" next to the catalogue']


def test_an_image_whose_address_names_no_file_is_stored_as_an_image(server):
    document = example()
    document["films"][0]["images"] = [{"kind": "still", "src": f"{server}/?picture=7#top"}]
    import_catalogue([document], fetch_images=True)
    assert FilmImage.objects.get().image.name == "films/images/image.png"
