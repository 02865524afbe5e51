"""The sitemap: every public page in every site language, each with its hreflang alternates.

Django's sitemap framework writes one ``<url>`` per page and language (``i18n``), lists the
page's other languages as ``<xhtml:link rel="alternate" hreflang>`` (``alternates``) and the
default language's as ``x-default``. Drafts never appear: every item list starts from the
models' ``published()`` querysets.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Exists, OuterRef
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from .models import AwardResult, Credit, Edition, Film, Person, Screening, Section, Venue


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's URLs, with ``x-default`` pointing at the default language's page.

        Django strips the language prefix for ``x-default`` (right for ``prefix_default_language=False``);
        here every page has a prefix, so the unprefixed address would not exist.
        """
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            by_language = {alternate["lang_code"]: alternate["location"] for alternate in url.get("alternates", [])}
            for alternate in url.get("alternates", []):
                if alternate["lang_code"] == "x-default":
                    alternate["location"] = by_language[settings.LANGUAGE_CODE]
        return urls


class StaticPagesSitemap(PublicSitemap):
    """Pages that exist once: the home page and the archive of editions."""

    def items(self):
        return ["home", "editions"]

    def location(self, item):
        return reverse(item)


class EditionSitemap(PublicSitemap):
    """Each published edition's programme."""

    def items(self):
        return Edition.objects.published().order_by("-start_date", "key")

    def location(self, item):
        return reverse("programme", kwargs={"edition": item.key})


class AwardsSitemap(PublicSitemap):
    """The awards page of each published edition (it says so when there are none yet)."""

    def items(self):
        return Edition.objects.published().order_by("-start_date", "key")

    def location(self, item):
        return reverse("awards", kwargs={"edition": item.key})


class AwardSitemap(PublicSitemap):
    """The page of each award across editions (by key), once any of its results is public."""

    def items(self):
        return list(
            AwardResult.objects.public()
            .filter(award__section__published=True)
            .order_by("award__key")
            .values_list("award__key", flat=True)
            .distinct()
        )

    def location(self, item):
        return reverse("award", kwargs={"award": item})


class SectionSitemap(PublicSitemap):
    def items(self):
        return Section.objects.published().select_related("edition").order_by("edition__start_date", "order", "key")

    def location(self, item):
        return reverse("section", kwargs={"edition": item.edition.key, "section": item.key})


class FilmSitemap(PublicSitemap):
    def items(self):
        return Film.objects.published().order_by("key").only("key")

    def location(self, item):
        return reverse("film", kwargs={"film": item.key})


class PersonSitemap(PublicSitemap):
    """People credited on at least one published film."""

    def items(self):
        credits = Credit.objects.filter(person=OuterRef("pk"), film__published=True)
        return Person.objects.filter(Exists(credits)).order_by("key").only("key")

    def location(self, item):
        return reverse("person", kwargs={"person": item.key})


class VenueSitemap(PublicSitemap):
    """Venues with at least one published screening."""

    def items(self):
        screenings = Screening.objects.published().filter(screen__venue=OuterRef("pk"))
        return Venue.objects.filter(Exists(screenings)).order_by("key").only("key")

    def location(self, item):
        return reverse("venue", kwargs={"venue": item.key})


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "editions": EditionSitemap,
    "awards": AwardsSitemap,
    "award": AwardSitemap,
    "sections": SectionSitemap,
    "films": FilmSitemap,
    "people": PersonSitemap,
    "venues": VenueSitemap,
}


@require_safe
def sitemap(request):
    """``/sitemap.xml``: all sections in one document (well below the protocol's 50,000 URLs per file)."""
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, template_name="films/sitemap.xml")


# Included at the site root by festival/urls.py: ``path("", include("films.sitemaps"))``.
urlpatterns = [path("sitemap.xml", sitemap, name="sitemap")]
