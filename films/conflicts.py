"""Edit conflicts: a save made from a form opened at an older version of a record is refused.

The check lives here once. A form carries the version it was opened at (``EditVersionForm`` for the admin's
change forms; the results page carries each award's). ``claim`` checks it inside an UPDATE, in the saving
transaction, so two saves racing each other cannot both pass on SQLite or PostgreSQL; the form's ``clean``
checks it first so that the person keeps their input and is told who saved in between, when, and what changed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .history import field_changes, last_revision, record_values, version_saved_at, zone_of


class EditConflict(Exception):
    def __init__(self, obj, expected):
        super().__init__(conflict_message(obj, expected))
        self.obj = obj
        self.expected = expected


def current_version(model, pk):
    return model.objects.filter(pk=pk).values_list("version", flat=True).first()


def claim(obj, expected):
    """Inside the saving transaction: refuse (``EditConflict``) unless ``obj`` is still at ``expected``.

    The UPDATE matches the row only at that version and holds its lock to the end of the transaction, so a
    second save waiting on it finds the version changed."""
    if expected is None:
        return
    if not type(obj).objects.filter(pk=obj.pk, version=expected).update(version=expected):
        raise EditConflict(obj, expected)


def describe_changes(obj, expected):
    """What changed since version ``expected``: "title (uk): “A” → “B”; year: “2023” → “2024”"."""
    then = version_saved_at(obj, expected)
    if then is None:
        return ""
    fresh = type(obj).objects.get(pk=obj.pk)
    changes = field_changes(type(obj), then.field_dict, record_values(fresh), zone_of(fresh))
    return "; ".join(
        f"{change.field}{f' ({change.language})' if change.language else ''}: “{change.old}” → “{change.new}”"
        for change in changes
    )


def saved_since(obj):
    """ "ana saved this screening at 12 Nov 2023, 14:05 (Europe/Amsterdam)": the last save of ``obj``."""
    revision = last_revision(obj)
    params = {"record": obj._meta.verbose_name}
    if revision is None:
        return gettext("someone saved this %(record)s") % params
    params["user"] = revision.user.get_username() if revision.user else gettext("an import or a script")
    tz = zone_of(obj)  # As the record's own moments are shown: a screening's in its edition's zone.
    params["time"] = date_format(timezone.localtime(revision.date_created, tz), "j M Y, H:i")
    params["timezone"] = str(tz)
    return gettext("%(user)s saved this %(record)s at %(time)s (%(timezone)s)") % params


def conflict_message(obj, expected):
    text = gettext("Not saved: %(saved)s, after you opened it. Your input is kept below.") % {"saved": saved_since(obj)}
    changes = describe_changes(obj, expected)
    if changes:
        text += " " + gettext("What they changed: %(changes)s.") % {"changes": changes}
    return text + " " + gettext("Check it, then save again to keep your version.")


class EditVersionForm(forms.ModelForm):
    """Carries the version the form was opened at, and refuses to save over a newer one."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label=_("version"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_version"].initial = self.instance.version

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != "edit_version"]

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("edit_version")
        if self.instance.pk is None or expected is None:
            return cleaned
        current = current_version(type(self.instance), self.instance.pk)
        if current is not None and current != expected:
            self.add_error(None, ValidationError(conflict_message(self.instance, expected), code="edit_conflict"))
            # Saving again after seeing the conflict is a decision to keep this input.
            data = self.data.copy()
            data[self.add_prefix("edit_version")] = str(current)
            self.data = data
        return cleaned
