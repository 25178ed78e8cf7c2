from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from pilier.accounts.access import request_actor
from pilier.accounts.urls import auth_urlpatterns
from pilier.portal.services import landing_url

from .api import api

urlpatterns = [
    path("", lambda request: redirect(landing_url(request_actor(request))), name="home"),
    # Browsers ask for /favicon.ico whatever the page says: the SVG icon (base.html links it too).
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True), name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("pilier.accounts.urls")),
    path("clients/", include("pilier.clients.urls")),
    path("", include("pilier.policies.urls")),
    path("imports/", include("pilier.couplings.urls")),
    path("", include("pilier.analysis.urls")),
    path("", include("pilier.followup.urls")),
    path("", include("pilier.portal.urls")),
    path("", include("pilier.accountants.urls")),
    path("api/v1/", api.urls),
]

# A request that found the database busy outside its view answers 503 too (pilier/lib/busy.py).
handler500 = "pilier.lib.busy.server_error"
