"""What an import did (or, on a dry run, would do)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .diff import change_lines, grouped


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    dry_run: bool = False
    created: dict = field(default_factory=lambda: defaultdict(list))
    updated: dict = field(default_factory=lambda: defaultdict(list))
    unchanged: dict = field(default_factory=lambda: defaultdict(list))
    aliases_matched: list = field(default_factory=list)
    images_not_fetched: list = field(default_factory=list)
    # Every field of an existing record the import changes (``diff.FieldChange``), in the order met.
    changes: list = field(default_factory=list)
    # ``diff.plan_fingerprint`` of this import: what a confirmation must find again to write.
    fingerprint: str = ""
    # The awards ("edition/award") whose winners the import writes: who won, which only awards staff decide.
    results_written: list = field(default_factory=list)

    def note(self, kind, label, key):
        {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}[kind][label].append(key)

    def counts(self):
        labels = sorted({*self.created, *self.updated, *self.unchanged})
        return [
            (
                label,
                len(self.created.get(label, [])),
                len(self.updated.get(label, [])),
                len(self.unchanged.get(label, [])),
            )
            for label in labels
        ]

    @property
    def changes_by_record(self):
        return grouped(self.changes)

    @property
    def flagged_changes(self):
        """The changes that clear or shorten what is there."""
        return [change for change in self.changes if change.flag]

    @property
    def changed_nothing(self):
        return not any(self.created.values()) and not any(self.updated.values())

    def summary(self):
        lines = [_("Dry run: nothing was written.") if self.dry_run else _("Import complete.")]
        for label, created, updated, unchanged in self.counts():
            lines.append(
                _("%(label)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {"label": label, "created": created, "updated": updated, "unchanged": unchanged}
            )
        for spelling, key in self.aliases_matched:
            lines.append(_("“%(spelling)s” matched the existing record “%(key)s”") % {"spelling": spelling, "key": key})
        for path, src in self.images_not_fetched:
            lines.append(
                _("%(path)s: image %(src)s was not fetched (remote images are recorded only)")
                % {
                    "path": path,
                    "src": src,
                }
            )
        lines.extend(change_lines(self.changes))
        return "\n".join(lines)
