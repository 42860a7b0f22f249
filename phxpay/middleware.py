import re
import uuid

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from phxpay import audit, ratelimit
from phxpay.logging import request_id_var

# Accept an upstream proxy's id only if it looks like one (no log injection through the header).
INCOMING_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")


class RequestContextMiddleware:
    """Request id for logs and the X-Request-ID header; client IP and user agent for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        audit_token = audit.request_context.set(
            (ratelimit.client_ip(request) or None, request.headers.get("User-Agent", ""))
        )
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            audit.request_context.reset(audit_token)
        response["X-Request-ID"] = request.id
        return response


class PermissionsPolicyMiddleware:
    """The portal needs no camera, location, payment or other powerful browser features."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user hold personal data: shared computers must not cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Sets no-store among its directives.
            add_never_cache_headers(response)
        return response


class RejectMalformedMiddleware:
    """400 for input no page can use, before any view, admin filter or form sees it.

    A NUL character (PostgreSQL text cannot hold one), and out-of-range date parts in the date
    lookups the admin's filters and date hierarchy pass through the query string (`?at__year=99999`
    raised "year is out of range": a 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request) or _bad_date_lookup(request):
            from phxpay.views import bad_request

            return bad_request(request)
        return self.get_response(request)


_DATE_PART_RANGES = {"__year": (1, 9999), "__month": (1, 12), "__day": (1, 31)}


def _bad_date_lookup(request) -> bool:
    for key, value in request.GET.items():
        for suffix, (low, high) in _DATE_PART_RANGES.items():
            in_range = value.isascii() and value.isdigit() and low <= int(value) <= high
            if key.endswith(suffix) and not in_range:
                return True
    return False


def _has_nul(request) -> bool:
    if "\x00" in request.path or "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        body = request.body
        return b"%00" in body or b"\x00" in body
    return False
