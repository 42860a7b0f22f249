import time

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

# What a restricted (PIN sign-in) session may still reach: the forced change itself, leaving, and
# switching language on that page.
ALLOWED_VIEWS = {
    "accounts:password_set_required",
    "accounts:logout",
    "set_language",
    "session_extend",
}


class PasswordChangeRequiredMiddleware:
    """A user who signed in with an account PIN sees only the password change until it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name not in ALLOWED_VIEWS:
                return redirect("accounts:password_set_required")
        return self.get_response(request)


class AbsoluteSessionLimitMiddleware:
    """Idle sessions end after 30 minutes (SESSION_COOKIE_AGE); any session ends 12 hours after sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get("auth_at", 0)
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                from accounts import messages

                logout(request)
                flash.info(request, messages.SESSION_EXPIRED)
                return redirect("accounts:login")
        return self.get_response(request)
