"""The festival's domain model, one module per subject, re-exported here."""

from .award import Award, AwardResult, JuryMember
from .festival import Edition, Festival, Screen, Section, TravelTime, Venue
from .film import (
    FestivalHistoryAward,
    FestivalHistoryEntry,
    Film,
    FilmCopy,
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
from .screening import Screening, ScreeningFilm, ScreeningGuest

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
    "FilmCopy",
    "FilmImage",
    "FilmTitle",
    "FilmographyEntry",
    "JuryMember",
    "Person",
    "PersonAlias",
    "Screen",
    "Screening",
    "ScreeningFilm",
    "ScreeningGuest",
    "Section",
    "Selection",
    "Tag",
    "TravelTime",
    "Venue",
]
