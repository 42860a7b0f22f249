from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from phxpay import health, views

admin.site.site_header = "PHX Pay Online"
admin.site.site_title = "PHX Pay Online"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("session/extend/", views.session_extend, name="session_extend"),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # ESP tracking webhooks (bounces, complaints), behind the ANYMAIL_WEBHOOK_SECRET basic auth;
    # without a secret they are not served at all.
    urlpatterns.append(path("anymail/", include("anymail.urls")))

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("links/", views.links, name="links"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("enrollment.urls")),
)

handler400 = "phxpay.views.bad_request"
handler403 = "phxpay.views.permission_denied"
handler404 = "phxpay.views.page_not_found"
handler500 = "phxpay.views.server_error"
