"""The public programme site: edition home, programme, sections, films, people, venues, awards, archive, search.

Every page answers conditional requests: ``conditional_page`` gives each response an
ETag (a hash of its content) and answers a matching ``If-None-Match`` with 304.
"""

from .changes import ChangesFeed, changes
from .common import language_redirect, public_page, published_edition
from .edition import award, awards, editions, home, section
from .embed import embed_programme
from .film import film
from .people import person, venue
from .programme import ProgrammeFilters, filter_options, programme
from .search import search

__all__ = [
    "ChangesFeed",
    "ProgrammeFilters",
    "award",
    "awards",
    "changes",
    "editions",
    "embed_programme",
    "film",
    "filter_options",
    "home",
    "language_redirect",
    "person",
    "programme",
    "public_page",
    "published_edition",
    "search",
    "section",
    "venue",
]
