"""The results page of one competition: every award with its winners and mentions, saved at once.

Every save here is one revision in the records' history (films/history.py: restorable, with each field's old
and new value), commented with what it did, and the page lists its awards' last revisions as "Recent changes";
Django's ``LogEntry`` notes each change too, for the admin's "Recent actions". Each award carries the
version it was shown at, so a save over someone else's newer results is refused (films/conflicts.py).
"""

from collections import defaultdict

import reversion
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname
from reversion.models import Version

from ..conflicts import EditConflict, claim, conflict_message
from ..history import record_deletion
from ..models import Award, AwardResult, Credit, Section, Selection
from ..roles import may_decide_results, may_translate_results
from .zones import local_moment, results_public_notice

EXTRA_ROWS = 2
CITATION = build_localized_fieldname("citation", settings.LANGUAGE_CODE)
CITATIONS = [build_localized_fieldname("citation", code) for code, _name in settings.LANGUAGES]
DECISIONS = ("film", "person", "kind", "order")  # What only those who decide results may change.
SECOND_WINNER = _("“%(award)s” already has a winner (%(film)s) and does not allow ex aequo.")  # The model's message.
# The award's rows are all on the page, so the formset checks these across its rows; the model's check of each
# row against the database would also object to a row that another row of the same post makes valid. (The
# unique constraints are not checked per row at all: Django leaves out those on the formset's own foreign key.)
ROW_CHECKS_LEFT_TO_THE_FORMSET = {"second_winner"}


def results_url(section_id):
    return reverse("admin:films_award_results", args=[section_id])


def embargo_notice(section):
    """When the competition's results become public (or became), in the edition's time zone."""
    return results_public_notice(section.edition, section)


class ResultForm(forms.ModelForm):
    """One result row. The film and person lists offer the competition's films and the people credited on
    them; any film or person is accepted, so that the model's rules say precisely what is wrong.

    Those who decide results change the film, person, kind and order, and the citation in the site's main
    language. A translator (``text_only``) changes the citation in every language and nothing else: the other
    fields are disabled, so whatever a post says of them is ignored."""

    class Meta:
        model = AwardResult
        fields = ("film", "person", "kind", *CITATIONS, "order")
        widgets = {name: forms.Textarea(attrs={"rows": 2, "cols": 40}) for name in CITATIONS}

    def __init__(self, *, award, film_choices, person_choices, text_only, can_add, **kwargs):
        super().__init__(**kwargs)  # The formset passes everything by name.
        self.can_add = can_add
        for name in CITATIONS:
            if name != CITATION and not text_only:
                del self.fields[name]
        for name in DECISIONS:
            if text_only and name in self.fields:
                self.fields[name].disabled = True
        self.fields["film"].choices = film_choices
        if award.recipient == Award.Recipient.PERSON:
            self.fields["person"].choices = person_choices
        else:
            del self.fields["person"]
        self.fields["order"].widget.attrs["class"] = "vSmallField"

    def has_changed(self):
        """A new row posted by someone who may not add results is ignored, as Django's admin inlines do."""
        if not self.can_add and self.instance._state.adding:
            return False
        return super().has_changed()

    @property
    def citation_fields(self):
        """The citations this user may change: the main language's, or every language's for a translator."""
        return [self[name] for name in CITATIONS if name in self.fields]

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            kept = {}
            for name, errors in error.error_dict.items():
                errors = [item for item in errors if item.code not in ROW_CHECKS_LEFT_TO_THE_FORMSET]
                if errors:
                    kept[name] = errors
            if not kept:
                return
            error = ValidationError(kept)
        super().add_error(field, error)


class AwardResultsFormSet(BaseInlineFormSet):
    """The results of one award; checks across its rows what the model checks against the database."""

    def __init__(self, *args, film_choices, person_choices, text_only, can_add, **kwargs):
        self.choices = {
            "film_choices": film_choices,
            "person_choices": person_choices,
            "text_only": text_only,
            "can_add": can_add,
        }
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        # (Django's own ignores ``index``.)
        return {**super().get_form_kwargs(index), "award": self.instance, **self.choices}  # pragma: no mutate

    @property
    def award(self):
        return self.instance

    def get_queryset(self):
        return list(self.award.results.all())  # Prefetched with the awards: no query per award.

    def kept_forms(self):
        """Rows that will be saved: existing rows not deleted and new rows filled in, each validated."""
        for form in self.forms:
            if form.instance.pk is None and not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form

    def clean(self):
        super().clean()
        seen = set()
        winner = None
        for form in self.kept_forms():
            film, person = form.cleaned_data.get("film"), form.cleaned_data.get("person")
            if film is not None:
                identity = (film.pk, getattr(person, "pk", None))
                if identity in seen:
                    form.add_error(
                        None,
                        ValidationError(
                            _("This row repeats an earlier row (%(film)s%(person)s); remove one of the two."),
                            code="duplicate_result",
                            params={"film": film.display_title, "person": f" – {person}" if person else ""},
                        ),
                    )
                seen.add(identity)
            # The row's posted kind (the form set it on its instance), or its stored one when the posted is invalid.
            if form.instance.kind != AwardResult.Kind.WINNER or self.award.ex_aequo:
                continue
            if winner is None:
                winner = form
            elif film is not None:
                form.add_error(
                    "kind",
                    ValidationError(
                        SECOND_WINNER,
                        code="second_winner",
                        params={"award": self.award, "film": winner.instance.film.display_title},
                    ),
                )


ResultFormSetBase = inlineformset_factory(
    Award, AwardResult, form=ResultForm, formset=AwardResultsFormSet, extra=EXTRA_ROWS, can_delete=True
)


def competition_choices(section):
    """The film choices (films selected in the competition) and person choices (people credited on them,
    each with the films they are credited on): two queries, whatever the number of awards."""
    films = []
    for selection in Selection.objects.filter(section=section).select_related("film").order_by("order", "id"):
        films.append((selection.film_id, selection.film.display_title))
    titles = dict(films)
    credited = defaultdict(list)
    names = {}
    credits = Credit.objects.filter(film_id__in=titles).select_related("person").order_by("person__name", "order")
    for credit in credits:
        names[credit.person_id] = credit.person.name
        if titles[credit.film_id] not in credited[credit.person_id]:
            credited[credit.person_id].append(titles[credit.film_id])
    people = [(pk, f"{names[pk]} — {', '.join(credited[pk])}") for pk in names]
    empty = [("", "---------")]
    return empty + films, empty + people


def change_messages(formset):
    """``(result, flag, message)`` for the history of each row saved, in Django's JSON change message format."""
    entries = []
    with override(None):
        for result in formset.new_objects:
            entries.append((result, ADDITION, [{"added": {}}]))
        for result, changed in formset.changed_objects:
            labels = [str(formset.forms[0].fields[name].label or name) for name in changed]
            entries.append((result, CHANGE, [{"changed": {"fields": labels}}]))
    return entries


def award_message(result, flag, message):
    """The line an award's history gets for a change to one of its results (as Django writes inline changes)."""
    with override(None):
        item = {"name": str(AwardResult._meta.verbose_name), "object": str(result)}
    if flag == ADDITION:
        return [{"added": item}]
    if flag == DELETION:
        return [{"deleted": item}]
    return [{"changed": {**item, "fields": message[0]["changed"]["fields"] if message else []}}]


def log_results(request, entries, *, on_award=True):
    """Record ``(result, flag, message)`` entries in each result's log and, unless ``on_award`` is false
    (Django's own inline message already said it), in its award's. Deletions must be logged before deleting.
    Returns the award-level messages as text (for the revision's comment)."""
    texts = []
    for result, flag, message in entries:
        LogEntry.objects.log_actions(request.user.pk, [result], flag, message)
        line = award_message(result, flag, message)
        if on_award:
            entry = LogEntry.objects.log_actions(request.user.pk, [result.award], CHANGE, line, single_object=True)
            texts.append(entry.get_change_message())
    return texts


def version_field(award):
    return f"version-{award.pk}"


def posted_version(data, award):
    value = str(data.get(version_field(award), ""))  # pragma: no mutate - absent reads as any non-number
    return int(value) if value.isdigit() else None


def conflicts(data, awards):
    """The awards whose results someone saved after this page was shown, with the message naming who."""
    found = []
    for award in awards:
        expected = posted_version(data, award)
        if expected is not None and expected != award.version:
            found.append((award, conflict_message(award, expected)))
    return found


def results_view(award_admin, request, section_id):
    if not may_translate_results(request.user):
        raise PermissionDenied
    text_only = not may_decide_results(request.user)
    section = get_object_or_404(Section.objects.select_related("edition"), pk=section_id)
    if not section.competitive:  # Only a competition has results.
        raise Http404
    results = AwardResult.objects.select_related("person").order_by("order", "id")
    awards = list(
        Award.objects.filter(section=section)
        .order_by("order", "key")
        .prefetch_related(Prefetch("results", queryset=results))
    )
    film_choices, person_choices = competition_choices(section)
    result_admin = award_admin.admin_site._registry[AwardResult]
    can_add = not text_only and result_admin.has_add_permission(request)
    can_delete = not text_only and result_admin.has_delete_permission(request)
    data = request.POST if request.method == "POST" else None

    formsets = []
    for award in awards:
        formset = ResultFormSetBase(
            data,
            instance=award,
            prefix=f"award-{award.pk}",
            film_choices=film_choices,
            person_choices=person_choices,
            text_only=text_only,
            can_add=can_add,
        )
        formset.can_delete = can_delete
        if not can_add:  # No empty row: as many rows as there are results.
            formset.max_num = len(award.results.all())
        formsets.append(formset)

    failure = None
    for award in awards:
        award.shown_version = award.version
    if data is not None:
        clashes = conflicts(data, awards)
        for award in awards:  # A page saved again after a conflict keeps its input over the other save.
            if award not in dict(clashes) and posted_version(data, award) is not None:
                award.shown_version = posted_version(data, award)
        checked = [formset.is_valid() for formset in formsets]  # Every formset validated, to show its errors.
        valid = all(checked)
        if clashes:
            failure = " ".join(message for _award, message in clashes)
        elif valid:
            try:
                saved = save_results(request, formsets, {award.pk: posted_version(data, award) for award in awards})
            except (IntegrityError, EditConflict):
                failure = gettext(
                    "Nothing was saved: someone else changed these results at the same time. Reload the page and "
                    "enter your changes again."
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "Saved the results of “%(section)s”: %(count)d result added, changed or deleted.",
                        "Saved the results of “%(section)s”: %(count)d results added, changed or deleted.",
                        saved,
                    )
                    % {"section": section, "count": saved},
                )
                return HttpResponseRedirect(request.path)
        else:
            failure = gettext("Nothing was saved: correct the results marked below.")

    changes = recent_revisions(awards)
    context = {
        **award_admin.admin_site.each_context(request),
        "opts": award_admin.opts,
        "title": gettext("Results: %(section)s, %(edition)s") % {"section": section, "edition": section.edition},
        "section": section,
        "edition": section.edition,
        "embargo": embargo_notice(section),
        "embargoed": section.announcement_time > timezone.now(),  # pragma: no mutate - never equal to the µs
        "jury": list(section.jury.select_related("person").order_by("order", "id")),
        "awards": list(zip(awards, formsets, strict=True)),  # pragma: no mutate - a formset for each
        "failure": failure,
        "can_delete": can_delete,
        "text_only": text_only,
        "citation_languages": [code for code, _name in settings.LANGUAGES] if text_only else [settings.LANGUAGE_CODE],
        "changes": [
            {
                "time": local_moment(revision.date_created, section.edition),
                "user": revision.user,
                "award": ", ".join(version.object_repr for version in kept),
                "message": revision.get_comment(),
            }
            for revision, kept in changes
        ],
    }
    request.current_app = award_admin.admin_site.name
    return TemplateResponse(request, "admin/films/award/results.html", context)


def recent_revisions(awards, count=20):
    """The last ``count`` revisions of the awards' history (results saved, deleted, restored), newest first, as
    ``[(revision, [award version, ...]), ...]``, in one query (a revision holds each award at most once)."""
    award_type = ContentType.objects.get_for_model(Award)
    # A revision holds each award at most once: the limit only spares reading more rows than are shown.
    rows = count * max(len(awards), 1)  # pragma: no mutate
    versions = (
        Version.objects.filter(content_type=award_type, object_id__in=[str(award.pk) for award in awards])
        .select_related("revision__user")
        .order_by("-revision__date_created", "-revision_id", "object_repr")[:rows]
    )
    revisions = {}
    for version in versions:
        revisions.setdefault(version.revision, []).append(version)
    return list(revisions.items())[:count]


def save_results(request, formsets, expected_versions):
    """Save every award's rows in one transaction, as one revision of their history, and log each change;
    refuses (``EditConflict``) if an award's results changed since the page was shown. Returns how many rows
    changed."""
    count = 0
    with transaction.atomic():
        doomed = [
            (form.instance, DELETION, "")
            for formset in formsets
            for form in formset.deleted_forms
            if form.instance.pk is not None
        ]
        texts = log_results(request, doomed)  # Before deleting, as Django's admin does.
        # (One text per deletion: ``strict`` cannot fail.)
        for (result, _flag, _message), text in zip(doomed, texts, strict=True):  # pragma: no mutate
            # Kept as it was, so that "Recover deleted award results" can bring it back.
            record_deletion([result], request.user, text)
        texts = []
        with reversion.create_revision(manage_manually=True):  # The awards, each with its results.
            reversion.set_user(request.user)
            for formset in formsets:
                award = formset.instance
                claim(award, expected_versions.get(award.pk))
                formset.save()
                entries = change_messages(formset)
                texts += log_results(request, entries)
                if entries or any(form.instance.award_id == award.pk for form in formset.deleted_forms):
                    award.save(update_fields=[])  # Raises its version: pages shown before are out of date.
                if entries:  # (A deletion has its revision above.)
                    reversion.add_to_revision(award)
                count += len(entries)
            reversion.set_comment(" ".join(texts))
        count += len(doomed)
    return count
