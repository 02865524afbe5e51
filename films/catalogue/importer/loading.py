"""Reading catalogue files: the size limit, UTF-8 and JSON parsing, and the format header."""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from ...images import megabytes

FORMAT = "festival-catalogue"
VERSION = 1
# A catalogue file larger than this is refused before it is read.
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024


def parse_catalogue_bytes(data, label):
    """Parse a file's bytes; return ``(document, errors)``. The size limit is checked before parsing."""
    if len(data) > MAX_FILE_BYTES:
        return None, [too_large_message(label, len(data))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [
            _("%(label)s: the file is not UTF-8 text (byte %(position)s)")
            % {
                "label": label,
                "position": error.start,
            }
        ]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as error:
        return None, [
            _("%(label)s: malformed JSON at line %(line)s, column %(column)s: %(problem)s")
            % {"label": label, "line": error.lineno, "column": error.colno, "problem": error.msg}
        ]


def too_large_message(label, size):
    return _("%(label)s: the file is %(size)s MB; catalogue files may be at most %(max)s MB") % {
        "label": label,
        "size": megabytes(size),
        "max": MAX_FILE_MB,
    }


def load_source(source):
    """Return ``(document, base_dir, label, errors)`` for a path or an already-parsed dict."""
    if isinstance(source, dict):
        return source, None, None, []
    path = Path(source)
    label = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        return (
            None,
            None,
            label,
            [
                _("%(label)s: cannot read the file (%(problem)s)")
                % {
                    "label": label,
                    "problem": error.strerror,
                }
            ],
        )
    if size > MAX_FILE_BYTES:
        return None, None, label, [too_large_message(label, size)]
    document, errors = parse_catalogue_bytes(path.read_bytes(), label)
    return document, path.resolve().parent, label, errors


def header_errors(document, prefix):
    """Wrong format or version stops the file here: nothing else in it can be trusted."""
    if not isinstance(document, dict):
        return [prefix + _("(document): a catalogue is a JSON object")]
    if document.get("format") != FORMAT:
        return [
            prefix
            + _('format: this is not a festival catalogue (expected "%(expected)s", found %(found)s)')
            % {"expected": FORMAT, "found": json.dumps(document.get("format"), ensure_ascii=False)}
        ]
    if document.get("version") != VERSION:
        return [
            prefix
            + _("version: this site reads version %(expected)s of the catalogue format, not %(found)s")
            % {"expected": VERSION, "found": json.dumps(document.get("version"), ensure_ascii=False)}
        ]
    return []
