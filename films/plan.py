"""One edition's plan read at once, for the rules that look across it: planning warnings (``films/warnings.py``)
and readiness (``films/readiness.py``). Five queries whatever the edition's size: its sections (with the size
of their jury and their number of awards), their selections (with each film, and whether it has an image and
a director), its screenings (with screen, venue and section), the films in them (with how many copies the
festival holds), and their guests.

``EditionPlan.load(edition, around=screening)`` reads, in the same five queries, only what one screening's
warnings can involve: the screenings that share a film or a guest with it (every rule pairs a screening with
another that shows one of its films or one of its guests, or looks at it alone), and the selections of its
films. Saving a screening or moving it on the board checks that part of the plan, not the whole edition.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext

from .models import Credit, FilmImage, Screening, ScreeningFilm, ScreeningGuest, Section, Selection
from .models.people import CreditRole


@dataclass
class Item:
    """One screening as the rules read it."""

    screening: Screening
    films: list = field(default_factory=list)  # Film objects, each with ``copies_held`` (None: none recorded).
    guests: list = field(default_factory=list)  # ScreeningGuest objects, each with its person.

    def __getattr__(self, name):
        return getattr(self.screening, name)

    @property
    def venue_id(self):
        return self.screening.screen.venue_id if self.screening.screen_id else None

    @property
    def place(self):
        return place_of(self.screening.screen)


def place_of(screen):
    """ "Kino 1, Arsenal": a screen and its venue, or "Online" without a screen."""
    return f"{screen.name}, {screen.venue.name}" if screen else gettext("Online")


@dataclass
class EditionPlan:
    edition: object
    sections: dict  # pk → Section
    selections: list  # Selection objects with ``film``, ``has_image``, ``has_director``
    items: dict  # screening pk → Item, every screening (cancelled ones too)

    @classmethod
    def load(cls, edition, around=None):
        """The whole edition's plan, or (``around``: a saved screening) the part its warnings can involve."""
        screening_ids = selected_films = None
        if around is not None:
            selected_films = ScreeningFilm.objects.filter(screening=around).values("film_id")
            people = ScreeningGuest.objects.filter(screening=around).values("person_id")
            screening_ids = (
                Screening.objects.filter(edition=edition)
                .filter(
                    Q(pk=around.pk)
                    | Q(pk__in=ScreeningFilm.objects.filter(film__in=selected_films).values("screening_id"))
                    | Q(pk__in=ScreeningGuest.objects.filter(person__in=people).values("screening_id"))
                )
                .values("pk")
            )
        sections = {
            section.pk: section
            for section in Section.objects.filter(edition=edition)
            .annotate(jurors=Count("jury", distinct=True), award_count=Count("awards", distinct=True))
            .order_by("order", "key")
        }
        selections = Selection.objects.filter(section__edition=edition)
        screenings = Screening.objects.filter(edition=edition)
        films = ScreeningFilm.objects.filter(screening__edition=edition)
        guests = ScreeningGuest.objects.filter(screening__edition=edition)
        if around is not None:
            selections = selections.filter(film__in=selected_films)
            screenings = screenings.filter(pk__in=screening_ids)
            films = films.filter(screening__in=screening_ids)
            guests = guests.filter(screening__in=screening_ids)
        selections = list(
            selections.select_related("film")
            .annotate(
                has_image=Exists(FilmImage.objects.filter(film=OuterRef("film_id"))),
                has_director=Exists(Credit.objects.filter(film=OuterRef("film_id"), role=CreditRole.DIRECTOR)),
            )
            .order_by("order", "pk")
        )
        screenings = screenings.select_related("screen__venue", "section").order_by("starts_at", "pk")
        items = {screening.pk: Item(screening) for screening in screenings}
        films = films.select_related("film").annotate(copies_held=Sum("film__copies__count")).order_by("order", "pk")
        for row in films:
            row.film.copies_held = row.copies_held
            items[row.screening_id].films.append(row.film)
        for guest in guests.select_related("person"):
            items[guest.screening_id].guests.append(guest)
        return cls(edition, sections, selections, items)

    def scheduled(self):
        """The screenings that will take place (not cancelled)."""
        return [item for item in self.items.values() if item.status != Screening.Status.CANCELLED]
