"""Site URLs: health checks, the API, the admin, staff sign-in, static files, and the cases app
(phone tracking pages /t/<token> and the console under /console/) at the root."""
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from server.api import api
from server.core import errors
from server.core.views import healthz, readyz

admin.site.site_header = "Concierge"
admin.site.site_title = "Concierge"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("openapi.json", RedirectView.as_view(url="/api/v1/openapi.json", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/", include("server.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The app serves its own static files (admin, console, docs): no CDN, no extra web server.
    re_path(r"^%s(?P<path>.*)$" % settings.STATIC_URL.lstrip("/"), serve_static, {"insecure": True}),
    path("", include("server.cases.urls")),
    path("", include("server.notifications.urls")),
    path("console/reports/", include("server.reports.urls")),
    path("console/lost-property/", include("server.lostfound.urls")),
    path("console/desk/", include("server.desk.urls")),
    path("console/loans/", include("server.loans.urls")),
    path("", include("server.broadcasts.urls")),
    path("", include("server.content.urls")),
    path("", include("server.fleet.urls")),
    path("", include("server.wayfinding.urls")),
    path("", include("server.directory.urls")),
    path("", RedirectView.as_view(url="/console/", permanent=False), name="home"),
]

handler400 = errors.handler400
handler403 = errors.handler403
handler404 = errors.handler404
handler500 = errors.handler500
