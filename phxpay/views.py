"""Site-wide pages: Home, Help, Links, /favicon.ico, the session keep-alive and the error pages."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST, require_safe


def home(request):
    return render(request, "home.html")


def help_page(request):
    # The numbers Help quotes come from the settings that decide them.
    limits = {
        "password_min_length": settings.PASSWORD_MIN_LENGTH,
        "signin_failure_limit": settings.AXES_FAILURE_LIMIT,
        "pin_failure_limit": settings.PIN_ACCOUNT_FAILURE_LIMIT,
        "pin_lock_minutes": settings.PIN_ACCOUNT_LOCK_MINUTES,
    }
    return render(request, "help.html", limits)


def links(request):
    return render(request, "links.html")


@require_safe
def favicon(request):
    """/favicon.ico, which browsers fetch on their own: the static icon under its hashed name.

    Not permanent: the hashed name changes whenever the icon does."""
    return redirect(static("img/favicon.ico"))


@require_POST
def session_extend(request):
    """'Stay signed in' from the idle-timeout warning: any request renews the idle timer."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session.modified = True
    return JsonResponse({"signed_in": True, "idle_seconds": settings.SESSION_COOKIE_AGE})


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
