"""The first request of an emailed link that carries a secret token in its path."""

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers


def no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def leaving_token_url(response: HttpResponse) -> HttpResponse:
    """The response to a URL that holds a secret: the browser must never send that URL anywhere."""
    response["Referrer-Policy"] = "no-referrer"
    return no_store(response)


def token_landing(
    request,
    *,
    token: str,
    valid: bool,
    session_key: str,
    next_url: str,
    invalid: Callable[[], HttpResponse],
) -> HttpResponse:
    """A valid token moves into the session and the browser goes on to `next_url`, which has none.

    Like Django's password reset: the page with the form (its language switch, its scripts) never
    has the token in its address, history entry or Referer. A link that is not valid gets
    `invalid()` and no session at all, so junk links cannot each create a session row.
    """
    if not valid:
        return leaving_token_url(invalid())
    request.session[session_key] = token
    return leaving_token_url(redirect(next_url))
