"""The festival's domain model, one module per subject, re-exported here."""

from .award import Award, AwardResult, JuryMember
from .festival import Edition, Festival, Screen, Section, Venue
from .film import (
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmImage,
    FilmTitle,
    Selection,
    Tag,
)
from .people import (
    Company,
    CompanyAlias,
    CompanyCredit,
    Credit,
    FilmographyEntry,
    Person,
    PersonAlias,
)
from .screening import Screening, ScreeningFilm

__all__ = [
    "Award",
    "AwardResult",
    "Company",
    "CompanyAlias",
    "CompanyCredit",
    "Credit",
    "Edition",
    "Festival",
    "FestivalHistoryAward",
    "FestivalHistoryEntry",
    "Film",
    "FilmImage",
    "FilmTitle",
    "FilmographyEntry",
    "JuryMember",
    "Person",
    "PersonAlias",
    "Screen",
    "Screening",
    "ScreeningFilm",
    "Section",
    "Selection",
    "Tag",
    "Venue",
]
