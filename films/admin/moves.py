"""Moves on the schedule board: a screening dragged to another time or screen, and the last move undone.

A move is a save of the screening like its form's: the same rules (``Screening.clean``, its constraints, and
the database's own clash check), the same edit-conflict check (the board shows each screening's version), and
a revision in the screening's history naming where it was and where it went. A refused move changes nothing
and says why, in the same words as the form.

The board posts a move from its script (``films/static/films/admin/board.js``) and reads a JSON answer; any
other client (a form, a test) is redirected back to the board with the answer as a message. The person's last
move is kept in their session, so that the board can offer to undo it: an undo is a move back, checked the
same way, so it is refused if someone changed the screening since.
"""

import datetime

import reversion
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..conflicts import EditConflict, claim, describe_changes, saved_since
from ..models import Screen, Screening
from ..roles import may_change_structure
from ..warnings import screening_warnings
from .board import LAST_MOVE, board_url

WALL_TIME = "%Y-%m-%dT%H:%M"


class MoveForm(forms.Form):
    screen = forms.IntegerField(label=_("screen"), min_value=1)
    starts_at = forms.CharField(label=_("starts at"))  # The wall clock in the edition's zone.
    version = forms.IntegerField(label=_("version"), min_value=0)

    def clean_starts_at(self):
        try:
            return datetime.datetime.strptime(self.cleaned_data["starts_at"], WALL_TIME)
        except ValueError:
            raise ValidationError(_("Give the start as YYYY-MM-DDTHH:MM.")) from None


def where(screening):
    """ "Kino 1, 2023-11-12 14:00" in the edition's zone."""
    local = timezone.localtime(screening.starts_at, screening.edition.tzinfo)
    return f"{screening.screen.name if screening.screen_id else gettext('Online')}, {local:%Y-%m-%d %H:%M}"


def move(screening, screen, starts_at, expected, user, comment):
    """Move ``screening`` to ``screen`` at ``starts_at`` (the length kept), as a save of its form would: raises
    ``EditConflict`` if it changed since version ``expected``, ``ValidationError`` if a rule refuses it."""
    length = screening.ends_at - screening.starts_at
    screening.screen, screening.starts_at, screening.ends_at = screen, starts_at, starts_at + length
    try:
        with transaction.atomic():
            claim(screening, expected)
            # As the screening's form checks it: its rules and constraints, the derived end of its changeover
            # left to ``save`` (the clash check computes it).
            screening.full_clean(exclude={"blocked_until"})
            with reversion.create_revision(manage_manually=True):
                screening.save()
                reversion.add_to_revision(screening)
                reversion.set_user(user)
                reversion.set_comment(comment)
    except IntegrityError:
        # Another move took the slot between the check and the save: the database refused it. Name it.
        screening.check_clash()
        raise ValidationError(gettext("This screening clashes with another in that screen.")) from None


def answer(request, ok, message, screening):
    accept = request.headers.get("Accept", "")  # pragma: no mutate - a header's name ignores case
    if "application/json" in accept:
        if ok:  # The board reloads to show the move, and says so there.
            messages.success(request, message)
        return JsonResponse({"ok": ok, "message": message}, status=200 if ok else 409)
    messages.add_message(request, messages.SUCCESS if ok else messages.ERROR, message)
    day = screening.edition.local_date(screening.starts_at)
    return HttpResponseRedirect(board_url(screening.edition, day))


def movable(model_admin, request, object_id):
    """The screening, if this person may move it (a curator: only in their sections); else refused."""
    screening = model_admin.get_object(request, object_id)
    # (get_object finds a curator only their sections' screenings; only the results' models have a structure
    # permission of their own, so any other model name reads alike: these arguments are not mutated.)
    allowed = model_admin.has_change_permission(request, screening)  # pragma: no mutate
    structure = may_change_structure(request.user, "screening")  # pragma: no mutate
    if screening is None or not allowed or not structure:
        raise PermissionDenied
    if request.method != "POST":
        return None, HttpResponseNotAllowed(["POST"])
    return screening, None


def move_view(model_admin, request, object_id):
    screening, refusal = movable(model_admin, request, object_id)
    if refusal:
        return refusal
    form = MoveForm(request.POST)
    if not form.is_valid():
        return answer(request, False, refusal_message(ValidationError(all_messages(form))), screening)
    screen = Screen.objects.filter(pk=form.cleaned_data["screen"]).first()
    if screen is None:
        return answer(request, False, gettext("There is no such screen."), screening)
    tz = screening.edition.tzinfo
    starts_at = timezone.make_aware(form.cleaned_data["starts_at"], tz)
    before = {"screen": screening.screen_id, "starts_at": screening.starts_at.isoformat(), "text": where(screening)}
    try:
        move(
            screening,
            screen,
            starts_at,
            form.cleaned_data["version"],
            request.user,
            gettext("Moved on the board from %(before)s to %(after)s.")
            % {"before": before["text"], "after": f"{screen.name}, {timezone.localtime(starts_at, tz):%Y-%m-%d %H:%M}"},
        )
    except (EditConflict, ValidationError) as refused:
        return answer(request, False, refusal_message(refused), screening)
    request.session[LAST_MOVE] = {**before, "screening": screening.pk, "version": screening.version}
    text = gettext("Moved “%(screening)s” to %(where)s (%(timezone)s).") % {
        "screening": screening.key,
        "where": where(screening),
        "timezone": screening.edition.timezone,
    }
    for warning in screening_warnings(screening):  # Kept, but said (films/warnings.py).
        text += " " + gettext("Warning: %(warning)s") % {"warning": warning.message}
    return answer(request, True, text, screening)


def undo_view(model_admin, request):
    last = request.session.get(LAST_MOVE)
    if not last:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        messages.error(request, gettext("There is no move of yours to undo."))
        return HttpResponseRedirect(reverse("admin:films_screening_board"))
    screening, refusal = movable(model_admin, request, str(last["screening"]))
    if refusal:
        return refusal
    screen = Screen.objects.filter(pk=last["screen"]).first()
    starts_at = datetime.datetime.fromisoformat(last["starts_at"])
    try:
        if screen is None:
            raise ValidationError(gettext("The screen it was in no longer exists."))
        move(
            screening,
            screen,
            starts_at,
            last["version"],
            request.user,
            gettext("Move undone on the board: back to %(where)s.") % {"where": last["text"]},
        )
    except (EditConflict, ValidationError) as refused:
        return answer(request, False, refusal_message(refused), Screening.objects.get(pk=screening.pk))
    del request.session[LAST_MOVE]
    return answer(
        request,
        True,
        gettext("Undone: “%(screening)s” is back at %(where)s (%(timezone)s).")
        % {"screening": screening.key, "where": where(screening), "timezone": screening.edition.timezone},
        screening,
    )


def all_messages(form):
    return [message for errors in form.errors.values() for message in errors]


def refusal_message(refused):
    if isinstance(refused, EditConflict):
        text = gettext("Not moved: %(saved)s, after the board was shown.") % {"saved": saved_since(refused.obj)}
        changes = describe_changes(refused.obj, refused.expected)
        if changes:
            text += " " + gettext("What they changed: %(changes)s.") % {"changes": changes}
        return text + " " + gettext("Reload the board to see it, then move it again.")
    return gettext("Not moved: %(reasons)s") % {"reasons": " ".join(refused.messages)}
