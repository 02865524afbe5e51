"""The catalogue exchange format (version 1): import and export of films, people, companies and editions."""

from .errors import CatalogueError, StalePreviewError
from .exporter import export_catalogue
from .importer import MAX_FILE_BYTES, ImportReport, import_catalogue

__all__ = [
    "MAX_FILE_BYTES",
    "CatalogueError",
    "ImportReport",
    "StalePreviewError",
    "export_catalogue",
    "import_catalogue",
]
