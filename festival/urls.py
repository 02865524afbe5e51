"""Root URLconf.

Every public page lives under a language prefix (``/en/``, ``/uk/``, ...), the
default language included, so a page's address says its language; ``/``
redirects by the browser's Accept-Language.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from festival.media import serve_media
from festival.views import favicon, healthz
from films.catalogue.admin_views import catalogue_import_view
from films.views.identity import identity_css
from films.views.pages import language_redirect

handler500 = "festival.views.server_error"

urlpatterns = [
    path("", language_redirect, name="language-redirect"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("identity.css", identity_css, name="identity-css"),
    path("admin/films/import/", admin.site.admin_view(catalogue_import_view), name="catalogue-import"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("films.urls_api")),
    path("", include("films.sitemaps")),
]

urlpatterns += i18n_patterns(
    path("", include("films.urls_calendar")),
    path("", include("films.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.FESTIVAL_SERVE_MEDIA:
    # Without a web server in front for /media/: uploaded images only, with safe headers (festival/media.py).
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"))
