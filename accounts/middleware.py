import time

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import logout
from django.shortcuts import redirect


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
                from phxpay import durations

                logout(request)
                hours = durations.session_absolute_hours()
                flash.info(request, messages.SESSION_EXPIRED % {"hours": hours})
                return redirect("accounts:login")
        return self.get_response(request)


SEEN_KEY = "_seen_at"


class IdleSessionRefreshMiddleware:
    """Keeps a signed-in session alive while it is used, without a database write per request:
    the session (and so its expiry, now + SESSION_COOKIE_AGE) is saved again only when
    SESSION_REFRESH_SECONDS have passed since the last save. An idle session therefore ends
    between 29 and 30 minutes after its last request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SEEN_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
        return self.get_response(request)
