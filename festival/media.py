"""Serving uploaded media without a web server in front (``FESTIVAL_SERVE_MEDIA=true``).

Only image files are served (JPEG, PNG, WebP, by extension, and the stored files were checked by
content on upload): never SVG, HTML or anything a browser could run. Each answer says its exact
type, ``X-Content-Type-Options: nosniff``, ``Content-Disposition: inline`` with a safe name, a
CSP that allows nothing active, and a long cache lifetime (stored names never change content;
Django gives a replaced file a new name).
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
CACHE_SECONDS = 60 * 60 * 24 * 30


@require_safe
def serve_media(request, path):
    extension = Path(path).suffix.lower()
    content_type = MEDIA_TYPES.get(extension)
    if content_type is None:
        raise Http404("Not an image.")
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except Exception as error:  # SuspiciousFileOperation for ../ and absolute paths
        raise Http404("Not found.") from error
    if not full_path.is_file():
        raise Http404("Not found.")
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{full_path.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
