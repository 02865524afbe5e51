"""The demo's awards, results and juries."""

from ..models import Award, AwardResult, JuryMember
from . import words
from .text import translated


class AwardsMixin:
    """Awards of the competitive sections, their results and juries."""

    # Awards ---------------------------------------------------------------------------------------

    def make_awards(self):
        rng = self.rng
        awards, results = [], []
        order = 0
        for section in self.sections:
            if not section.competitive:
                continue
            films = [f for f in self.selected[section.key] if f.published]
            winners = []
            for spec in words.AWARDS.get(section.key, []):
                award = Award(
                    edition=self.edition,
                    section=section,
                    key=spec["key"],
                    recipient="person" if spec.get("role") else "film",
                    order=order,
                    **translated("name", spec["name"]),
                )
                order += 1
                awards.append(award)
                role = spec.get("role")
                eligible = [f for f in films if not role or self.credited[f.key].get(role)]
                fresh = [f for f in eligible if f not in winners] or eligible
                if not fresh:
                    continue
                winner = rng.choice(fresh)
                winners.append(winner)
                picks = [(winner, "winner")]
                others = [f for f in eligible if f != winner]
                if others and rng.random() < 0.6:
                    picks.append((rng.choice(others), "special-mention"))
                for index, (film, kind) in enumerate(picks):
                    person = rng.choice(self.credited[film.key][role]) if role else None
                    citation = words.CITATIONS[3] if role == "cast" else rng.choice(words.CITATIONS[:3])
                    results.append(
                        AwardResult(
                            award=award,
                            film=film,
                            person=person,
                            kind=kind,
                            order=index,
                            **translated("citation", citation),
                        )
                    )
        Award.objects.bulk_create(awards)
        AwardResult.objects.bulk_create(results)
        self.awards = awards
        self.make_juries()

    def make_juries(self):
        """Three to five jurors per competition, the first presiding, none credited on a film they judge."""
        rng = self.rng
        members = []
        for section in self.sections:
            if not section.competitive:
                continue
            credited = {
                p.key for f in self.selected[section.key] for ps in self.credited.get(f.key, {}).values() for p in ps
            }
            candidates = [person for person in self.people if person.key not in credited]
            for order, person in enumerate(rng.sample(candidates, rng.randint(3, 5))):
                members.append(
                    JuryMember(
                        section=section, person=person, role="president" if order == 0 else "member", order=order
                    )
                )
        JuryMember.objects.bulk_create(members)
