"""Requirement 7: the admin at its own path, throttled staff sign-in, and no secret shown to staff."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.tokens import new_token
from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in
from tests.factories import (
    DEFAULT_PASSWORD,
    BillingAccountFactory,
    EnrollmentFactory,
    PendingUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET_FIELDS = {"pin_hash", "confirmation_token_hash", "token_hash", "session_key"}


def admin_url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(f"admin:{name}", args=args)


def test_the_admin_lives_at_admin_url_only(client):
    assert settings.ADMIN_URL != "admin/"
    assert admin_url("index") == f"/en/{settings.ADMIN_URL}"
    assert admin_url("index", lang="es") == f"/es/{settings.ADMIN_URL}"
    for path in ("/en/admin/", "/es/admin/", "/en/admin/login/"):
        assert client.get(path).status_code == 404, path
    assert client.get("/admin/", follow=True).status_code == 404
    login = client.get(admin_url("login"))
    assert login.status_code == 200


def test_customers_cannot_enter_the_admin(signed_in_client):
    response = signed_in_client.get(admin_url("index"))
    assert response.status_code == 302
    assert response["Location"].startswith(admin_url("login"))
    assert signed_in_client.get(admin_url("accounts_user_changelist")).status_code == 302


@pytest.mark.parametrize("lang", ["en", "es"])
def test_staff_sign_in_is_throttled_like_customers(settings, lang):
    UserFactory(username="staffMember", is_staff=True, is_superuser=True)
    attacker = Client()
    statuses = [
        attacker.post(
            admin_url("login", lang=lang), {"username": "staffMember", "password": "guess"}
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The failure that reaches the limit is already answered with the lockout page.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # Even the right password, from any browser on that address, is now refused.
    staff = Client()
    response = staff.post(
        admin_url("login", lang=lang), {"username": "staffMember", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    with translation.override(lang):
        assert translation.gettext("Sign-in paused") in html
    assert "_auth_user_id" not in staff.session
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_LOCKED_OUT).exists()


def test_user_pages_show_no_password_hash_or_token(staff_client):
    user = UserFactory(username="hashedUser")
    token, digest = new_token()
    pending = PendingUserFactory(username="pendingUser", confirmation_token_hash=digest)
    algorithm, *params, salt, hashed = user.password.split("$")
    for page in (
        admin_url("accounts_user_changelist"),
        admin_url("accounts_user_change", user.pk),
        admin_url("accounts_user_change", pending.pk),
        admin_url("accounts_user_history", user.pk),
    ):
        html = staff_client.get(page).content.decode()
        assert user.password not in html, page
        assert salt not in html and hashed not in html, page
        assert digest not in html and token not in html, page
    # Nor can a hash be used to find its owner.
    html = staff_client.get(admin_url("accounts_user_changelist"), {"q": digest}).content.decode()
    assert "pendingUser" not in html


def test_billing_account_pages_show_no_pin_hash(staff_client):
    account = BillingAccountFactory(account_number="9100000001", pin="4826")
    EnrollmentFactory(account=account)
    for page in (
        admin_url("enrollment_billingaccount_changelist"),
        admin_url("enrollment_billingaccount_change", account.pk),
        admin_url("enrollment_billingaccount_history", account.pk),
        admin_url("enrollment_enrollment_changelist"),
    ):
        html = staff_client.get(page).content.decode()
        assert account.pin_hash not in html, page
    html = staff_client.get(
        admin_url("enrollment_billingaccount_changelist"), {"q": account.pin_hash}
    ).content.decode()
    assert "9100000001" not in html


def test_a_refused_new_pin_is_not_echoed_back(staff_client):
    account = BillingAccountFactory(account_number="9100000002")
    response = staff_client.post(
        admin_url("enrollment_billingaccount_change", account.pk),
        {
            "account_number": "not-a-number",
            "service_address": "1 Main St",
            "balance": "1",
            "new_pin": "4826",
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "4826" not in response.content.decode()


def test_no_admin_page_exposes_a_secret_field():
    staff = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = staff
    for model, model_admin in admin.site._registry.items():
        shown = set(model_admin.get_list_display(request)) | set(model_admin.search_fields)
        shown |= set(model_admin.get_fields(request))
        for inline in model_admin.get_inline_instances(request):
            shown |= set(inline.get_fields(request))
        assert not {name.split("__")[-1] for name in shown} & SECRET_FIELDS, model.__name__


def test_staff_sessions_end_like_everyone_elses(settings):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = staff_signed_in(Client(), staff)
    s = client.session
    s["auth_at"] = 0
    s.save()
    assert client.get(admin_url("index")).status_code == 302
    assert "no-store" in staff_signed_in(Client(), staff).get(admin_url("index"))["Cache-Control"]
