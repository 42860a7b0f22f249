"""Requirement 1: security headers, cookie flags, no caching of personal or secret pages, HSTS."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.tokens import new_token
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD, PendingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_headers(response):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert "'self'" in csp["script-src"]
    nonces = [value for value in csp["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    # The page's scripts carry that nonce, so they run; injected ones cannot know it.
    nonce = nonces[0][len("'nonce-") : -1]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", ["home", "accounts:login", "accounts:register", "help"])
def test_public_pages_send_the_strict_headers(client, lang, name):
    response = client.get(url(lang, name))
    assert response.status_code == 200
    assert_strict_headers(response)


@pytest.mark.parametrize("name", ["enrollment:accounts", "accounts:profile", "enrollment:enroll"])
def test_signed_in_pages_send_the_strict_headers(signed_in_client, name):
    response = signed_in_client.get(url("en", name))
    assert response.status_code == 200
    assert_strict_headers(response)


def test_every_response_gets_a_fresh_nonce(client):
    first = csp_directives(client.get(url("en", "home")))["script-src"]
    second = csp_directives(client.get(url("en", "home")))["script-src"]
    assert first != second


def test_error_pages_send_the_strict_headers_too(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert_strict_headers(response)


def test_cookies_are_secure_host_only_httponly_and_lax(client):
    assert settings.DEBUG is False
    client.get(url("en", "accounts:login"))
    csrf = client.cookies["__Host-csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    assert csrf["path"] == "/" and not csrf["domain"]

    UserFactory(username="cookieUser")
    response = client.post(
        url("en", "accounts:login"), {"username": "cookieUser", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # A __Host- cookie must have Path=/ and no Domain, or browsers drop it.
    assert session["path"] == "/" and not session["domain"]
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"


SIGNED_IN_PAGES = [
    ("home", {}),
    ("help", {}),
    ("links", {}),
    ("enrollment:accounts", {}),
    ("enrollment:enroll", {}),
    ("enrollment:details", {"account_id": None}),
    ("enrollment:settings", {"account_id": None}),
    ("enrollment:remove", {"account_id": None}),
    ("enrollment:invite", {"account_id": None}),
    ("accounts:profile", {}),
    ("accounts:email_change", {}),
    ("accounts:email_change_confirm", {}),
]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_signed_in_page_is_no_store(signed_in_client, holding, lang):
    for name, kwargs in SIGNED_IN_PAGES:
        kwargs = {key: holding.account_id for key in kwargs}
        response = signed_in_client.get(url(lang, name, **kwargs))
        assert response.status_code in (200, 404), name
        assert "no-store" in response["Cache-Control"], name
        assert "private" in response["Cache-Control"], name


def test_signed_in_redirects_and_posts_are_no_store(signed_in_client, holding):
    response = signed_in_client.get(url("en", "enrollment:details_first"))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    response = signed_in_client.post(
        url("en", "enrollment:settings", account_id=holding.account_id),
        {"nickname": "Home", "ebill_email": ""},
    )
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_confirmation_link_and_page_are_no_store_and_never_refer(client):
    token, digest = new_token()
    from django.utils import timezone

    PendingUserFactory(confirmation_token_hash=digest, confirmation_sent_at=timezone.now())
    link = client.get(url("en", "accounts:confirm_link", token=token))
    assert link.status_code == 302
    assert "no-store" in link["Cache-Control"]
    assert link["Referrer-Policy"] == "no-referrer"
    page = client.get(link["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert token not in page.content.decode()
    # A dead link's page is not cached either.
    dead = Client()
    dead.get(url("en", "accounts:confirm_link", token="x" * 43))
    invalid = dead.get(url("en", "accounts:confirm"))
    assert invalid.status_code == 404
    assert "no-store" in invalid["Cache-Control"]


def test_reset_link_and_page_are_no_store(
    client, user, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("en", "accounts:password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(/\S+/password-reset/\S+/)", mailoutbox[-1].body).group(1)
    first = client.get(link)
    assert first.status_code == 302
    assert "no-store" in first["Cache-Control"]
    assert first["Referrer-Policy"] == "no-referrer"
    page = client.get(first["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    bad = Client().get(link.replace(link.split("/")[-2], "bad-token"))
    assert "no-store" in bad["Cache-Control"]


def test_email_change_link_and_page_are_no_store(signed_in_client):
    first = signed_in_client.get(url("en", "accounts:email_change_link", token="t" * 43))
    # Not a valid link: answered at once, without keeping it in a session.
    assert first.status_code == 404
    assert "no-store" in first["Cache-Control"]
    assert first["Referrer-Policy"] == "no-referrer"
    page = signed_in_client.get(url("en", "accounts:email_change_confirm"))
    assert page.status_code == 404
    assert "no-store" in page["Cache-Control"]
    # Opened while signed out, the link still must not be cached.
    anonymous = Client().get(url("en", "accounts:email_change_link", token="t" * 43))
    assert "no-store" in anonymous["Cache-Control"]


def test_hsts_one_year_with_subdomains(client):
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    response = client.get(url("en", "home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Never on plain HTTP, where a browser would ignore it anyway.
    assert "Strict-Transport-Security" not in client.get(url("en", "home"))
