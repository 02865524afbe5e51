"""History in the admin: every save of a record kept (django-reversion's ``VersionAdmin``), shown field by
field, restorable; deleted records recoverable with their dependent rows; conflicting saves refused.

Restoring an earlier version or recovering a deleted record changes every field, so only those who may change
the record's structure may do it (never a translator: see ``films.roles.may_change_structure``).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from reversion.admin import VersionAdmin

from ..conflicts import EditConflict, EditVersionForm, claim
from ..history import history, record_deletion
from ..roles import may_change_structure
from .common import CuratorMixin, curated_section_ids


class HistoryAdmin(VersionAdmin):
    object_history_template = "admin/films/object_history.html"
    change_list_template = None  # admin/films/change_list.html adds the "Recover deleted" link.

    # django-reversion opens a revision (a transaction) around every view; a GET saves nothing and needs none.
    # Every write keeps its revision: change forms (below), deletions (``delete_model``), actions (their own).

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "POST":
            return super().add_view(request, form_url, extra_context)
        return super(VersionAdmin, self).add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            return super().change_view(request, object_id, form_url, extra_context)
        return super(VersionAdmin, self).change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # Not even for a POST: an action keeps its own revision (a deletion must be kept before the rows go, which
        # a revision around the whole view, saved after them, would not do).
        context = {"has_change_permission": self.has_change_permission(request), **(extra_context or {})}
        return super(VersionAdmin, self).changelist_view(request, context)

    def may_restore(self, request):
        return may_change_structure(request.user, self.model._meta.model_name) and self.has_change_permission(request)

    def may_recover(self, request):
        """A curator sees only their sections' records, so cannot tell whose a deleted one was: no recovering."""
        limited = isinstance(self, CuratorMixin) and curated_section_ids(request) is not None
        return self.may_restore(request) and not limited

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.may_restore(request) or self.get_object(request, object_id) is None:
            raise PermissionDenied  # Also a record outside the user's list (another curator's section).
        request.restoring = True  # Restoring a version is a decision to go back to it: no conflict check.
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.may_recover(request):
            raise PermissionDenied
        request.restoring = True
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.may_recover(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise PermissionDenied  # Deleted (see "Recover deleted"), or outside the user's list.
        context = {**(extra_context or {}), "may_restore": self.may_restore(request)}
        opts = self.model._meta
        context["history_rows"] = [
            {
                "version": version,
                "changes": changes,
                "url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                    args=[obj.pk, version.pk],
                ),
            }
            for version, changes in history(obj)
        ]
        return super().history_view(request, object_id, context)

    def delete_model(self, request, obj):
        record_deletion([obj], request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        record_deletion(list(queryset), request.user)
        super().delete_queryset(request, queryset)


class EditConflictAdmin:
    """A change form opened at one version of a versioned record cannot overwrite a later save."""

    def checks_conflicts(self, request, obj):
        return obj is not None and not getattr(request, "restoring", False)

    def get_form(self, request, obj=None, **kwargs):
        if self.checks_conflicts(request, obj):
            base = kwargs.get("form", self.form)
            kwargs["form"] = type(f"Versioned{base.__name__}", (EditVersionForm, base), {})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if not self.checks_conflicts(request, obj) or not fieldsets:
            return fieldsets
        names = {name for _title, options in fieldsets for name in options["fields"]}
        if "edit_version" not in names:
            title, options = fieldsets[0]
            fieldsets[0] = (title, {**options, "fields": [*options["fields"], "edit_version"]})
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            claim(obj, form.cleaned_data.get("edit_version"))
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:  # Two saves in the same instant: the form's check could not see it.
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
