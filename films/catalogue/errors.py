"""The one exception a catalogue import raises."""


class CatalogueError(Exception):
    """A catalogue could not be imported; ``errors`` lists every problem found, each with its path in the file."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class StalePreviewError(CatalogueError):
    """A confirmed import found the database changed since its preview; nothing was written."""


def path_string(parts):
    """``("films", 0, "credits", 3, "role")`` -> ``films[0].credits[3].role``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
