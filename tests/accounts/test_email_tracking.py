"""Bounces and complaints reported by the email provider's webhook are kept on the user."""

import base64
import json

import pytest

from accounts import messages
from accounts.models import User
from tests.factories import PendingUserFactory

pytestmark = pytest.mark.django_db

AUTH = "Basic " + base64.b64encode(b"webhook:tests-only-secret").decode()


def postmark_bounce(client, email, auth=AUTH):
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "Email": email,
        "BouncedAt": "2026-11-26T18:00:00Z",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    }
    return client.post(
        "/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


def test_bounce_is_recorded_and_shown_to_staff(client):
    user = PendingUserFactory(email="wstestphx10@gmail.com")
    assert postmark_bounce(client, "WSTESTPHX10@gmail.com").status_code == 200
    user.refresh_from_db()
    assert user.email_bounced_at is not None
    from django.contrib.admin.sites import site

    from accounts.admin import PortalUserAdmin

    assert PortalUserAdmin(User, site).email_problem(user) == "Confirmation email bounced"


def test_webhook_needs_the_secret(client):
    user = PendingUserFactory(email="x@example.com")
    wrong = "Basic " + base64.b64encode(b"webhook:wrong").decode()
    assert postmark_bounce(client, "x@example.com", auth=wrong).status_code in (400, 401, 403)
    user.refresh_from_db()
    assert user.email_bounced_at is None


def test_next_registration_attempt_hints_to_check_the_address(client, register):
    PendingUserFactory(username="testWilliamSample", email="wstestphx10@gmail.com")
    postmark_bounce(client, "wstestphx10@gmail.com")
    response = register()
    page = client.get(response["Location"]).content.decode()
    assert (messages.EMAIL_BOUNCED_HINT % {"email": "wstestphx10@gmail.com"}) in page
    assert User.objects.get().email_bounced_at is None
