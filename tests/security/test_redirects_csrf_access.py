"""Requirement 8: no open redirect, CSRF on every POST, no change on GET, strict access control."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import EmailChange, User
from accounts.tokens import new_token
from enrollment.models import BillingAccount, Enrollment, Invitation
from phxpay.models import AuditEvent
from tests.conftest import url
from tests.factories import (
    DEFAULT_PASSWORD,
    DEFAULT_PIN,
    BillingAccountFactory,
    EnrollmentFactory,
    PendingUserFactory,
    PrecreatedUserFactory,
    UserFactory,
)
from tests.security.conftest import domain_state, signed_in

pytestmark = pytest.mark.django_db

EVIL_NEXTS = [
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "http://evil.example/en/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "http:/evil.example",
    " //evil.example",
    "\t//evil.example",
    "//evil.example/%2e%2e",
    "javascript:alert(1)",
    "https://testserver@evil.example/",
    "https://testserver.evil.example/",
    "//%65vil.example",
]


def assert_stays_on_site(location: str):
    parts = urlsplit(location)
    assert parts.netloc in ("", "testserver"), location
    assert parts.scheme in ("", "http", "https"), location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\\" not in parts.path and "evil" not in location, location


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_login_next_never_leaves_the_site(client, evil):
    user = UserFactory()
    page = client.get(url("en", "accounts:login"), {"next": evil})
    assert page.status_code == 200
    response = client.post(
        url("en", "accounts:login") + "?next=x",
        {"username": user.username, "password": DEFAULT_PASSWORD, "next": evil},
    )
    assert response.status_code == 302
    assert_stays_on_site(response["Location"])
    # Signed in already, the login page redirects at once: still on the site.
    again = client.get(url("en", "accounts:login"), {"next": evil})
    assert_stays_on_site(again["Location"])


def test_login_next_on_the_site_is_honoured(client):
    user = UserFactory()
    response = client.post(
        url("en", "accounts:login"),
        {"username": user.username, "password": DEFAULT_PASSWORD, "next": "/en/help/"},
    )
    assert response["Location"] == "/en/help/"


@pytest.mark.parametrize("evil", EVIL_NEXTS)
def test_language_switch_next_never_leaves_the_site(client, evil):
    for data, extra in (
        ({"language": "es", "next": evil}, {}),
        ({"language": "es"}, {"HTTP_REFERER": evil}),
        ({"language": "es", "next": evil}, {"HTTP_REFERER": evil}),
    ):
        response = client.post("/i18n/setlang/", data, **extra)
        assert response.status_code == 302
        assert_stays_on_site(response["Location"])
    response = client.post("/i18n/setlang/?next=" + evil, {"language": "es"})
    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("evil", EVIL_NEXTS[:6])
def test_logout_next_never_leaves_the_site(signed_in_client, evil):
    response = signed_in_client.post(url("en", "accounts:logout"), {"next": evil})
    assert response.status_code == 302
    assert_stays_on_site(response["Location"])


# CSRF ----------------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """A holder with an account, an open invitation and a pending email change; a pending
    registration link; a pre-created user; a reset link."""
    holder = UserFactory(username="csrfHolder")
    account = BillingAccountFactory(account_number="4300000001")
    EnrollmentFactory(user=holder, account=account)
    BillingAccountFactory(account_number="4300000002")
    invitation = Invitation.objects.create(
        account=account,
        invited_by=holder,
        email="friend@example.com",
        sent_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() + timedelta(days=1),
    )
    change_token, change_digest = new_token()
    EmailChange.objects.create(user=holder, new_email="moved@example.com", token_hash=change_digest)
    confirm_token, confirm_digest = new_token()
    pending = PendingUserFactory(
        confirmation_token_hash=confirm_digest, confirmation_sent_at=timezone.now()
    )
    first_signin_token, first_signin_digest = new_token()
    precreated = PrecreatedUserFactory(username="csrf.ebill@example.com")
    User.objects.filter(pk=precreated.pk).update(
        confirmation_token_hash=first_signin_digest, confirmation_sent_at=timezone.now()
    )
    return {
        "first_signin_token": first_signin_token,
        "holder": holder,
        "account": account,
        "invitation": invitation,
        "change_token": change_token,
        "confirm_token": confirm_token,
        "pending": pending,
        "precreated": precreated,
    }


def queued_emails() -> int:
    from django.apps import apps

    try:
        return apps.get_model("phxpay", "OutboundEmail").objects.count()
    except LookupError:  # before the email queue existed, emails were only sent after commit
        return 0


def side_effects():
    from django.contrib.sessions.models import Session

    return (
        domain_state(),
        AuditEvent.objects.count(),
        list(BillingAccount.objects.order_by("pk").values_list("failed_pin_attempts")),
        Session.objects.count(),
        (Enrollment.objects.count(), queued_emails()),
    )


STRONG = "Tovrea-Castle-Garden-12"


def anonymous_forms(world):
    return {
        "register": (
            url("en", "accounts:register"),
            {
                "username": "csrfNew",
                "first_name": "A",
                "last_name": "B",
                "email": "csrf.new@example.com",
                "confirm_email": "csrf.new@example.com",
            },
        ),
        "login": (
            url("en", "accounts:login"),
            {"username": "csrfHolder", "password": DEFAULT_PASSWORD},
        ),
        "password reset": (url("en", "accounts:password_reset"), {"email": "x@example.com"}),
        "language": ("/i18n/setlang/", {"language": "es", "next": "/en/"}),
    }


def holder_forms(world):
    account_id = world["account"].pk
    invitation_id = world["invitation"].pk
    return {
        "profile": (
            url("en", "accounts:profile"),
            {"first_name": "Changed", "last_name": "Name", "preferred_language": "es"},
        ),
        "password change": (
            url("en", "accounts:password_change"),
            {"old_password": DEFAULT_PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
        ),
        "email change": (
            url("en", "accounts:email_change"),
            {"new_email": "other@example.com", "current_password": DEFAULT_PASSWORD},
        ),
        "email change confirm": (url("en", "accounts:email_change_confirm"), {}),
        "enroll": (
            url("en", "enrollment:enroll"),
            {"account_number": "4300000002", "pin": DEFAULT_PIN},
        ),
        "wrong PIN": (
            url("en", "enrollment:enroll"),
            {"account_number": "4300000002", "pin": "0000"},
        ),
        "settings": (
            url("en", "enrollment:settings", account_id=account_id),
            {"nickname": "Pwned", "paperless": "on", "ebill_email": "evil@example.com"},
        ),
        "invite": (
            url("en", "enrollment:invite", account_id=account_id),
            {"email": "evil@example.com", "role": "manage"},
        ),
        "resend": (
            url(
                "en",
                "enrollment:invitation_resend",
                account_id=account_id,
                invitation_id=invitation_id,
            ),
            {},
        ),
        "revoke": (
            url(
                "en",
                "enrollment:invitation_revoke",
                account_id=account_id,
                invitation_id=invitation_id,
            ),
            {},
        ),
        "remove": (url("en", "enrollment:remove", account_id=account_id), {}),
        "language": ("/i18n/setlang/", {"language": "es", "next": "/en/"}),
        "session extend": ("/session/extend/", {}),
        "logout": (url("en", "accounts:logout"), {}),
    }


def test_every_anonymous_form_needs_the_csrf_token(world, mailoutbox):
    forms = anonymous_forms(world)
    # The registration link's form (its token moved into the session first).
    confirm = Client(enforce_csrf_checks=True)
    confirm.get(url("en", "accounts:confirm_link", token=world["confirm_token"]))
    before = side_effects()
    for name, (path, data) in forms.items():
        response = Client(enforce_csrf_checks=True).post(path, data)
        assert response.status_code == 403, name
    response = confirm.post(
        url("en", "accounts:confirm"),
        {
            "username": world["pending"].username,
            "email": world["pending"].email,
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 403
    after = side_effects()
    assert after[:3] == before[:3] and after[4] == before[4]
    assert mailoutbox == []


def test_reset_and_forced_password_forms_need_the_csrf_token(world):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    holder = world["holder"]
    reset = Client(enforce_csrf_checks=True)
    link = url(
        "en",
        "accounts:password_reset_confirm",
        uidb64=urlsafe_base64_encode(force_bytes(holder.pk)),
        token=default_token_generator.make_token(holder),
    )
    form_url = reset.get(link)["Location"]
    forced = Client(enforce_csrf_checks=True)
    forced.get(url("en", "enrollment:first_signin_link", token=world["first_signin_token"]))
    before = domain_state()
    assert (
        reset.post(form_url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 403
    )
    response = forced.post(
        url("en", "enrollment:first_signin_password"),
        {"new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 403
    assert domain_state() == before


def test_every_signed_in_form_needs_the_csrf_token(world, mailoutbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["holder"])
    session = client.get(url("en", "accounts:email_change_link", token=world["change_token"]))
    assert session.status_code == 302
    before = side_effects()
    invitation_before = Invitation.objects.values().get(pk=world["invitation"].pk)
    for name, (path, data) in holder_forms(world).items():
        response = client.post(path, data)
        assert response.status_code == 403, name
    after = side_effects()
    assert after[:3] == before[:3] and after[4] == before[4]
    assert Invitation.objects.values().get(pk=world["invitation"].pk) == invitation_before
    assert mailoutbox == []
    # Still signed in: the forged logout did nothing.
    assert client.get(url("en", "accounts:profile")).status_code == 200


def test_get_changes_nothing(world, mailoutbox):
    client = signed_in(world["holder"])
    client.get(url("en", "accounts:email_change_link", token=world["change_token"]))
    account_id = world["account"].pk
    invitation_id = world["invitation"].pk
    before = side_effects()
    invitation_before = Invitation.objects.values().get(pk=invitation_id)
    gets = {
        url("en", "accounts:logout"): 405,
        url("en", "enrollment:remove", account_id=account_id): 200,
        url(
            "en", "enrollment:invitation_revoke", account_id=account_id, invitation_id=invitation_id
        ): 405,
        url(
            "en", "enrollment:invitation_resend", account_id=account_id, invitation_id=invitation_id
        ): 405,
        "/session/extend/": 405,
        "/i18n/setlang/?language=es&next=/en/": 405,
        url("en", "accounts:email_change_confirm"): 200,
        url("en", "enrollment:settings", account_id=account_id)
        + "?nickname=Pwned&paperless=on&ebill_email=evil@example.com": 200,
        url("en", "enrollment:enroll") + f"?account_number=4300000002&pin={DEFAULT_PIN}": 200,
        url("en", "accounts:profile") + "?first_name=Changed&preferred_language=es": 200,
    }
    for path, status in gets.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, path
    after = side_effects()
    assert after[:3] == before[:3] and after[4] == before[4]
    assert Invitation.objects.values().get(pk=invitation_id) == invitation_before
    world["holder"].refresh_from_db()
    assert world["holder"].email != "moved@example.com"
    assert world["holder"].preferred_language == "en"
    assert mailoutbox == []
    assert client.get(url("en", "accounts:profile")).status_code == 200


# Access control ------------------------------------------------------------------------------------


def id_urls(account_id, invitation_id):
    return [
        ("GET", url("en", "enrollment:details", account_id=account_id)),
        ("GET", url("en", "enrollment:settings", account_id=account_id)),
        ("POST", url("en", "enrollment:settings", account_id=account_id)),
        ("GET", url("en", "enrollment:remove", account_id=account_id)),
        ("POST", url("en", "enrollment:remove", account_id=account_id)),
        ("GET", url("en", "enrollment:invite", account_id=account_id)),
        ("POST", url("en", "enrollment:invite", account_id=account_id)),
        (
            "POST",
            url(
                "en",
                "enrollment:invitation_resend",
                account_id=account_id,
                invitation_id=invitation_id,
            ),
        ),
        (
            "POST",
            url(
                "en",
                "enrollment:invitation_revoke",
                account_id=account_id,
                invitation_id=invitation_id,
            ),
        ),
    ]


POST_DATA = {"nickname": "Pwned", "paperless": "on", "ebill_email": "evil@example.com"} | {
    "email": "evil@example.com",
    "role": "manage",
}


def test_someone_elses_ids_are_not_found(world, mailoutbox):
    outsider = UserFactory()
    EnrollmentFactory(user=outsider)  # holds an account of their own, just not this one
    stranger = signed_in(outsider)
    before = side_effects()
    for method, path in id_urls(world["account"].pk, world["invitation"].pk):
        response = getattr(stranger, method.lower())(path, POST_DATA if method == "POST" else None)
        assert response.status_code == 404, (method, path)
    after = side_effects()
    assert after[:3] == before[:3]
    assert mailoutbox == []


def test_a_holder_cannot_reach_another_accounts_invitation_through_their_own(world):
    own = EnrollmentFactory(account=BillingAccountFactory(account_number="4300000003"))
    client = signed_in(own.user)
    for name in ("enrollment:invitation_resend", "enrollment:invitation_revoke"):
        path = url("en", name, account_id=own.account_id, invitation_id=world["invitation"].pk)
        assert client.post(path).status_code == 404
    world["invitation"].refresh_from_db()
    assert world["invitation"].revoked_at is None


def test_unknown_ids_are_not_found(world):
    client = signed_in(world["holder"])
    for method, path in id_urls(999999, 999999):
        assert getattr(client, method.lower())(path).status_code == 404, path


SIGNED_IN_NAMES = [
    ("enrollment:accounts", {}),
    ("enrollment:enroll", {}),
    ("enrollment:details_first", {}),
    ("enrollment:settings_first", {}),
    ("enrollment:details", {"account_id": 1}),
    ("enrollment:settings", {"account_id": 1}),
    ("enrollment:remove", {"account_id": 1}),
    ("enrollment:invite", {"account_id": 1}),
    ("enrollment:invitation_resend", {"account_id": 1, "invitation_id": 1}),
    ("enrollment:invitation_revoke", {"account_id": 1, "invitation_id": 1}),
    ("accounts:profile", {}),
    ("accounts:password_change", {}),
    ("accounts:email_change", {}),
    ("accounts:email_change_confirm", {}),
]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_anonymous_visitors_are_sent_to_login_everywhere(client, lang):
    login = url(lang, "accounts:login")
    for name, kwargs in SIGNED_IN_NAMES:
        path = url(lang, name, **kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code == 405:  # POST-only views refuse a GET before anything else
                continue
            assert response.status_code == 302, (method, path)
            assert response["Location"].startswith(login + "?next="), (method, path)
    response = client.post("/session/extend/")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("origin", "status"), [("http://testserver", 302), ("http://evil.example", 403)]
)
def test_behind_a_proxy_that_rewrites_host_only_the_sites_own_origin_may_post(db, origin, status):
    # SITE_URL is http://testserver in the tests; the proxy hands the app Host 127.0.0.1.
    browser = Client(enforce_csrf_checks=True)
    browser.get("/en/", HTTP_HOST="127.0.0.1")
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": token, "language": "es", "next": "/es/"},
        HTTP_HOST="127.0.0.1",
        HTTP_ORIGIN=origin,
    )
    assert response.status_code == status
