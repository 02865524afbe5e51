"""The admin page where a programmer uploads a catalogue file, previews what it would change, and confirms.

The preview is the real import run with ``dry_run=True`` (rolled back): it lists every field it would
change in existing records, old and new value, and flags what it would clear or shorten. The uploaded bytes
wait in a temporary file named by a random token kept in the programmer's session; the confirm form carries,
signed (``django.core.signing``), the token, the file's hash and the preview's fingerprint of its plan.
Confirming imports that file again, checked from scratch, and writes only if it would do exactly what the
preview showed: if the database changed in between, it writes nothing and shows a new preview to confirm.
"""

import hashlib
import secrets
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..roles import may_import_catalogue
from .errors import CatalogueError, StalePreviewError
from .importer import MAX_FILE_BYTES, MAX_FILE_MB, import_catalogue, parse_catalogue_bytes, too_large_message

PERMISSION = "films.add_film"
SESSION_KEY = "catalogue_import_uploads"
UPLOAD_DIR = Path(tempfile.gettempdir()) / "festival-catalogue-uploads"
TEMPLATE = "admin/films/catalogue_import.html"
SIGNING_SALT = "films.catalogue.import-preview"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Catalogue file"),
        help_text=gettext_lazy("A JSON file in the festival catalogue exchange format, version 1."),
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Signed: the token, the file's SHA-256 and the preview's fingerprint (``ImportReport.fingerprint``).
    preview = forms.CharField(widget=forms.HiddenInput)


def _upload_path(token):
    return UPLOAD_DIR / f"{token}.json"


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def confirm_form(token, data, report):
    """The form that confirms this preview: it names the stored upload and what the preview showed, signed."""
    preview = signing.dumps(
        {"token": token, "file": _digest(data), "fingerprint": report.fingerprint}, salt=SIGNING_SALT
    )
    return ConfirmForm(initial={"token": token, "preview": preview})


def _run(data, label, *, dry_run=False, expected_fingerprint=None, user=None):
    """Parse and import ``data``; return ``(report, errors)``. Same checks and messages as the command.

    Raises StalePreviewError when ``expected_fingerprint`` is given and the import would no longer do that.
    """
    document, errors = parse_catalogue_bytes(data, label)
    if errors:
        return None, errors
    try:
        return import_catalogue(
            [document], dry_run=dry_run, expected_fingerprint=expected_fingerprint, user=user, names=label
        ), []
    except StalePreviewError:
        raise
    except CatalogueError as error:
        return None, error.errors


def results_refused_message(label, awards):
    return _(
        "%(file)s would change the results of %(awards)s (who won, or a citation), which only the awards staff decide: "
        "nothing was imported. "
        "Ask them to import it, or leave those winners out of the file."
    ) % {"file": label, "awards": ", ".join(awards)}


def catalogue_import_view(request):
    if not may_import_catalogue(request.user):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Import a catalogue"),
        "form": UploadForm(),
        "max_megabytes": MAX_FILE_MB,
    }
    uploads = request.session.get(SESSION_KEY, {})
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmForm(request.POST)
        token = confirm.data["token"]
        if not confirm.is_valid() or token not in uploads or not _upload_path(token).is_file():
            context["errors"] = [_("This upload has expired or is not yours; upload the file again.")]
            return TemplateResponse(request, TEMPLATE, context, status=400)
        label = uploads[token]
        data = _upload_path(token).read_bytes()
        try:
            signed = signing.loads(confirm.cleaned_data["preview"], salt=SIGNING_SALT)
        except signing.BadSignature:
            signed = {}
        if signed.get("token") != token or signed.get("file") != _digest(data):
            context["errors"] = [_("This preview cannot be confirmed; upload the file again.")]
            return TemplateResponse(request, TEMPLATE, context, status=400)
        try:
            report, errors = _run(data, label, expected_fingerprint=signed["fingerprint"], user=request.user)
        except StalePreviewError as stale:
            # Nothing was written. Show what the import would do now, to be confirmed again.
            report, errors = _run(
                data,
                label,  # pragma: no mutate - bytes checked before: what a dry run says of them names no file
                dry_run=True,
            )
            context.update(errors=errors, label=label, stale=stale.errors)
            if not errors:
                context.update(report=report, confirm=confirm_form(token, data, report))
            return TemplateResponse(request, TEMPLATE, context, status=409)
        if errors:
            context.update(errors=errors, label=label)
            return TemplateResponse(request, TEMPLATE, context, status=400)
        _upload_path(token).unlink(missing_ok=True)  # pragma: no mutate - read just before: gone only in a race
        del uploads[token]
        request.session[SESSION_KEY] = uploads
        # (The file's name comes last: the admin capitalises a message's first letter.)
        messages.success(request, _("Imported %(file)s.") % {"file": label})
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
        # Checked on the preview: a confirmation writes exactly what its preview showed, or nothing.
        if report.results_written and not may_import_catalogue(request.user, writes_results=True):
            context.update(errors=[results_refused_message(label, report.results_written)], label=label)
            return TemplateResponse(request, TEMPLATE, context, status=403)
        token = secrets.token_urlsafe(24)  # pragma: no mutate - 24 random bytes; more are no less secret
        UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
        _upload_path(token).write_bytes(data)
        uploads[token] = label
        request.session[SESSION_KEY] = uploads
        context.update(report=report, label=label, confirm=confirm_form(token, data, report))
    return TemplateResponse(request, TEMPLATE, context)
