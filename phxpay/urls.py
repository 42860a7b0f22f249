from anymail import urls as anymail_urls
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from payments import views as payment_views
from phxpay import health, views

admin.site.site_header = "PHX Pay Online"
admin.site.site_title = "PHX Pay Online"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The language switch remembers the choice on a signed-in user: a web-user rule (accounts).
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The payment processor's signed callbacks: no language, no session, no CSRF token.
    path("payments/callback/", payment_views.callback, name="payment_callback"),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET") and settings.EMAIL_ESP:
    # The configured ESP's tracking webhook only (bounces, complaints), behind the
    # ANYMAIL_WEBHOOK_SECRET basic auth; no other ESP's endpoint, and none without a secret.
    urlpatterns += [
        path("anymail/", include([pattern]))
        for pattern in anymail_urls.urlpatterns
        if pattern.name == f"{settings.EMAIL_ESP}_tracking_webhook"
    ]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("links/", views.links, name="links"),
    # Before the admin, whose catch-all would take these paths.
    path(f"{settings.ADMIN_URL}passkeys/", include("accounts.passkey_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("enrollment.urls")),
    path("accounts/", include("billing.urls")),
    path("payments/", include("payments.urls")),
)

handler400 = "phxpay.views.bad_request"
handler403 = "phxpay.views.permission_denied"
handler404 = "phxpay.views.page_not_found"
handler500 = "phxpay.views.server_error"
