"""Requirement 8: hostile names, addresses and nicknames are escaped everywhere they are shown
(pages, emails' HTML part, the admin) and can never add an email header.
"""

import email

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from phxpay.models import AuditEvent
from tests.conftest import url
from tests.factories import DEFAULT_PASSWORD, BillingAccountFactory, EnrollmentFactory, UserFactory
from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = [SCRIPT, IMG, "<img src=x onerror"]
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_escaped(html: str, where: str, *, shown=True):
    for raw in RAW:
        assert raw not in html, where
    if shown:
        assert ESCAPED_SCRIPT in html or "&lt;img src=x onerror" in html, where


@pytest.fixture
def hostile_holding(db):
    # The User Name too: every page's header greets it. Registration refuses such a name; an import
    # or the admin does not go through that validator.
    user = UserFactory(username=SCRIPT, first_name=SCRIPT, last_name=IMG)
    account = BillingAccountFactory(
        account_number="4200000001",
        first_name=IMG,
        last_name=SCRIPT,
        service_address=f"12 {SCRIPT} {IMG}",
        ebill_email="bills@example.com",
    )
    holding = EnrollmentFactory(user=user, account=account, nickname=IMG)
    guest = UserFactory(first_name=SCRIPT, last_name=IMG)
    EnrollmentFactory(user=guest, account=account, role="view", nickname=SCRIPT)
    return holding


def test_customer_pages_escape_hostile_text(hostile_holding):
    client = signed_in(hostile_holding.user)
    account_id = hostile_holding.account_id
    pages = [
        url("en", "home"),
        url("es", "home"),
        url("en", "accounts:profile"),
        url("en", "enrollment:accounts"),
        url("en", "enrollment:details", account_id=account_id),
        url("en", "enrollment:settings", account_id=account_id),
        url("en", "enrollment:remove", account_id=account_id),
        url("en", "enrollment:invite", account_id=account_id),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_escaped(response.content.decode(), page)


def test_hostile_text_typed_into_forms_is_escaped_when_shown_again(signed_in_client, holding):
    response = signed_in_client.post(
        url("en", "accounts:profile"),
        {"first_name": SCRIPT, "last_name": IMG, "preferred_language": "xx"},
    )
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "profile with errors")
    response = signed_in_client.post(
        url("en", "enrollment:settings", account_id=holding.account_id),
        {"nickname": IMG + SCRIPT[:20], "paperless": "on", "ebill_email": SCRIPT},
    )
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "settings with errors")
    response = signed_in_client.post(
        url("en", "enrollment:enroll"), {"account_number": SCRIPT, "pin": IMG}
    )
    assert_escaped(response.content.decode(), "enroll with errors")
    response = Client().post(
        url("en", "accounts:register"),
        {"username": SCRIPT, "first_name": SCRIPT, "last_name": IMG, "email": IMG},
    )
    assert_escaped(response.content.decode(), "register with errors")
    assert_escaped(
        Client().get(url("en", "accounts:register"), {"email": IMG}).content.decode(),
        "register ?email=",
    )


def test_flash_messages_echoing_input_are_escaped(signed_in_client, holding):
    email = 'x"><script>alert(1)</script>@example.com'
    response = signed_in_client.post(
        url("en", "enrollment:invite", account_id=holding.account_id),
        {"email": email, "role": "view"},
        follow=True,
    )
    assert_escaped(response.content.decode(), "invite", shown=False)


def test_admin_pages_escape_hostile_text(hostile_holding, staff_client):
    Client().post(url("en", "accounts:login"), {"username": SCRIPT, "password": "x"})
    assert AuditEvent.objects.filter(username=SCRIPT).exists()
    with translation.override("en"):
        pages = [
            reverse("admin:accounts_user_changelist"),
            reverse("admin:accounts_user_change", args=[hostile_holding.user_id]),
            reverse("admin:enrollment_billingaccount_changelist"),
            reverse("admin:enrollment_billingaccount_change", args=[hostile_holding.account_id]),
            reverse("admin:enrollment_enrollment_changelist"),
            reverse("admin:phxpay_auditevent_changelist"),
        ]
    for page in pages:
        response = staff_client.get(page)
        assert response.status_code == 200, page
        assert_escaped(response.content.decode(), page)


def html_part(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def test_emails_html_parts_escape_hostile_names(hostile_holding, mailing, mailoutbox):
    # Names typed today are letters only (accounts.validators); these come from older rows or the
    # CIS extract. Reset emails greet the user by first name.
    with mailing():
        Client().post(url("en", "accounts:password_reset"), {"email": hostile_holding.user.email})
    # The invitation shows the inviter's name and street; its acceptance the guest's name.
    guest = UserFactory(first_name=IMG, last_name=SCRIPT)
    with mailing():
        signed_in(hostile_holding.user).post(
            url("en", "enrollment:invite", account_id=hostile_holding.account_id),
            {"email": guest.email, "role": "view"},
        )
    with mailing():
        Client().post(
            url("en", "accounts:login"), {"username": guest.username, "password": DEFAULT_PASSWORD}
        )
    kinds = {tag for message in mailoutbox for tag in message.tags}
    assert {"password_reset", "invitation"} <= kinds
    assert "invitation_accepted" in kinds
    for message in mailoutbox:
        assert_escaped(html_part(message), message.tags[0])


def test_no_typed_name_is_ever_in_a_subject(mailing, mailoutbox):
    """An official PHXwelcome subject line must not carry words an attacker chose."""
    holder = EnrollmentFactory(user=UserFactory(first_name="Ana", last_name="O'Brien & Sons"))
    guest = UserFactory(first_name="José", last_name="D'Angelo")
    with mailing():
        signed_in(holder.user).post(
            url("en", "enrollment:invite", account_id=holder.account_id),
            {"email": guest.email, "role": "view"},
        )
    with mailing():
        Client().post(
            url("en", "accounts:login"), {"username": guest.username, "password": DEFAULT_PASSWORD}
        )
    (invitation,) = [m for m in mailoutbox if m.tags == ["invitation"]]
    (accepted,) = [m for m in mailoutbox if m.tags == ["invitation_accepted"]]
    for name in ("Ana", "O'Brien", "José", "D'Angelo"):
        assert name not in invitation.subject and name not in accepted.subject
    assert holder.account.last4 in invitation.subject and holder.account.last4 in accepted.subject


def headers_of(message) -> list[tuple[str, str]]:
    parsed = email.message_from_bytes(message.message().as_bytes())
    return [(name.lower(), value) for name, value in parsed.items()]


CRLF_NAMES = [
    "William\r\nBcc: victim@evil.example",
    "William\nSubject: hacked",
    "William\rX-Injected: 1",
    "William\u2028Bcc: victim@evil.example",
]


@pytest.mark.parametrize("name", CRLF_NAMES)
def test_names_cannot_inject_email_headers(name, mailing, mailoutbox):
    """Registration either refuses the name or mails safely: never a 500, never a new header."""
    with mailing():
        response = Client().post(
            url("en", "accounts:register"),
            {
                "username": "crlfUser",
                "first_name": name,
                "last_name": name,
                "email": "crlf@example.com",
                "confirm_email": "crlf@example.com",
            },
        )
    assert response.status_code in (200, 302)
    # The name reaches a Subject when the user accepts an invitation: try that too.
    holder = EnrollmentFactory(user=UserFactory(first_name=name, last_name=name))
    guest = UserFactory(first_name=name, last_name=name)
    with mailing():
        signed_in(holder.user).post(
            url("en", "enrollment:invite", account_id=holder.account_id),
            {"email": guest.email, "role": "view"},
        )
    with mailing():
        Client().post(
            url("en", "accounts:login"), {"username": guest.username, "password": DEFAULT_PASSWORD}
        )
    assert {"invitation", "invitation_accepted"} <= {m.tags[0] for m in mailoutbox}
    for message in mailoutbox:
        headers = headers_of(message)
        names = [header for header, _value in headers]
        assert "bcc" not in names and "x-injected" not in names, headers
        assert names.count("subject") == 1
        assert not set(message.subject) & {"\r", "\n", "\u2028"}
        assert message.recipients() in (
            ["crlf@example.com"],
            [guest.email],
            [holder.user.email],
        )


@pytest.mark.parametrize(
    "address", ["a@example.com\r\nBcc: victim@evil.example", "a@example.com\nCc: x@evil.example"]
)
def test_addresses_with_line_breaks_are_refused(signed_in_client, holding, address, mailoutbox):
    forms = [
        (url("en", "accounts:password_reset"), {"email": address}),
        (url("en", "accounts:email_change"), {"new_email": address, "current_password": "x"}),
        (
            url("en", "enrollment:invite", account_id=holding.account_id),
            {"email": address, "role": "view"},
        ),
    ]
    for path, data in forms:
        assert signed_in_client.post(path, data).status_code == 200, path
    response = Client().post(
        url("en", "accounts:register"),
        {"username": "lineBreak", "first_name": "A", "last_name": "B"}
        | {"email": address, "confirm_email": address},
    )
    assert response.status_code == 200
    assert mailoutbox == []
