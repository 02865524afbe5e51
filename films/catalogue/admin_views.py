"""The admin page where a programmer uploads a catalogue file, previews what it would change, and confirms.

The preview is the real import run with ``dry_run=True`` (rolled back). The uploaded bytes wait in a
temporary file named by a random token kept in the programmer's session; confirming imports that file
again, checked from scratch, so nothing that changed in between slips through.
"""

import secrets
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import CatalogueError
from .importer import MAX_FILE_BYTES, import_catalogue, parse_catalogue_bytes, too_large_message

PERMISSION = "films.add_film"
SESSION_KEY = "catalogue_import_uploads"
UPLOAD_DIR = Path(tempfile.gettempdir()) / "festival-catalogue-uploads"
TEMPLATE = "admin/films/catalogue_import.html"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Catalogue file"),
        help_text=gettext_lazy("A JSON file in the festival catalogue exchange format, version 1."),
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _upload_path(token):
    return UPLOAD_DIR / f"{token}.json"


def _run(data, label, *, dry_run):
    """Parse and import ``data``; return ``(report, errors)``. Same checks and messages as the command."""
    document, errors = parse_catalogue_bytes(data, label)
    if errors:
        return None, errors
    try:
        return import_catalogue([document], dry_run=dry_run), []
    except CatalogueError as error:
        return None, error.errors


def catalogue_import_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Import a catalogue"),
        "form": UploadForm(),
        "max_megabytes": MAX_FILE_BYTES // 1_048_576,
    }
    uploads = request.session.get(SESSION_KEY, {})
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmForm(request.POST)
        token = confirm.data.get("token", "")
        if not confirm.is_valid() or token not in uploads or not _upload_path(token).is_file():
            context["errors"] = [_("This upload has expired or is not yours; upload the file again.")]
            return TemplateResponse(request, TEMPLATE, context, status=400)
        label = uploads[token]
        report, errors = _run(_upload_path(token).read_bytes(), label, dry_run=False)
        if errors:
            context.update(errors=errors, label=label)
            return TemplateResponse(request, TEMPLATE, context, status=400)
        _upload_path(token).unlink(missing_ok=True)
        del uploads[token]
        request.session[SESSION_KEY] = uploads
        messages.success(request, _("%(file)s was imported.") % {"file": label})
        context.update(report=report, label=label, done=True)
        return TemplateResponse(request, TEMPLATE, context)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return TemplateResponse(request, TEMPLATE, context, status=400)
        upload = form.cleaned_data["file"]
        label = Path(upload.name).name
        if upload.size > MAX_FILE_BYTES:
            context.update(errors=[too_large_message(label, upload.size)], label=label)
            return TemplateResponse(request, TEMPLATE, context, status=400)
        data = upload.read()
        report, errors = _run(data, label, dry_run=True)
        if errors:
            context.update(errors=errors, label=label)
            return TemplateResponse(request, TEMPLATE, context, status=400)
        token = secrets.token_urlsafe(24)
        UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
        _upload_path(token).write_bytes(data)
        uploads[token] = label
        request.session[SESSION_KEY] = uploads
        context.update(report=report, label=label, confirm=ConfirmForm(initial={"token": token}))
    return TemplateResponse(request, TEMPLATE, context)
