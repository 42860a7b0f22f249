"""Two staff roles, made by migrations: Customer support and Administrator."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts import roles
from tests.conftest import staff_signed_in
from tests.factories import BillingAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff_in(role: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.set([Group.objects.get(name=role)])
    return staff_signed_in(Client(), user)


def admin(name, *args):
    return reverse(f"admin:{name}", args=args)


def test_the_migrations_made_both_roles():
    support = Group.objects.get(name=roles.SUPPORT)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in support.permissions.all()}
    assert granted == set(roles.SUPPORT_PERMISSIONS)


def test_administrators_have_every_permission_but_changing_the_audit_log():
    """Fails when a migration adds a model without calling roles_sync again."""
    administrator = Group.objects.get(name=roles.ADMINISTRATOR)
    missing = Permission.objects.exclude(pk__in=administrator.permissions.all())
    assert {f"{p.content_type.app_label}.{p.codename}" for p in missing} == set(roles.NEVER)


def test_support_sees_customers_accounts_emails_and_the_audit_log():
    client = staff_in(roles.SUPPORT)
    customer = UserFactory()
    account = BillingAccountFactory()
    for page in (
        admin("accounts_user_changelist"),
        admin("accounts_user_change", customer.pk),
        admin("enrollment_billingaccount_change", account.pk),
        admin("enrollment_invitation_changelist"),
        admin("phxpay_auditevent_changelist"),
        admin("phxpay_outboundemail_changelist"),
    ):
        assert client.get(page).status_code == 200, page


def test_support_cannot_touch_passwords_pins_staff_flags_permissions_or_plumbing():
    client = staff_in(roles.SUPPORT)
    customer = UserFactory()
    account = BillingAccountFactory()
    assert client.get(admin("auth_user_password_change", customer.pk)).status_code == 403
    refused = client.post(
        admin("accounts_user_change", customer.pk),
        {"username": customer.username, "is_staff": "on", "is_superuser": "on"},
    )
    assert refused.status_code == 403
    customer.refresh_from_db()
    assert not customer.is_staff and not customer.is_superuser
    assert (
        client.post(
            admin("enrollment_billingaccount_change", account.pk), {"new_pin": "4826"}
        ).status_code
        == 403
    )
    for page in (
        admin("auth_group_changelist"),
        admin("axes_accessattempt_changelist"),
        admin("django_tasks_database_dbtaskresult_changelist"),
        admin("otp_totp_totpdevice_changelist"),
    ):
        assert client.get(page).status_code == 403, page


def test_support_runs_the_support_actions_but_not_a_second_factor_reset():
    client = staff_in(roles.SUPPORT)
    actions = (
        client.get(admin("accounts_user_changelist"))
        .context["action_form"]
        .fields["action"]
        .choices
    )
    names = {name for name, _label in actions}
    assert {"resend_confirmation", "unlock_signin"} <= names
    assert "reset_second_factor" not in names and "delete_selected" not in names


def test_administrators_see_the_plumbing_and_reset_factors():
    client = staff_in(roles.ADMINISTRATOR)
    assert client.get(admin("axes_accessattempt_changelist")).status_code == 200
    assert client.get(admin("auth_group_changelist")).status_code == 200
    actions = (
        client.get(admin("accounts_user_changelist"))
        .context["action_form"]
        .fields["action"]
        .choices
    )
    assert "reset_second_factor" in {name for name, _label in actions}
    # Still nobody edits the audit log.
    assert client.post(admin("phxpay_auditevent_add"), {}).status_code == 403


def test_support_sees_no_set_password_button_and_the_list_keeps_six_columns():
    client = staff_in(roles.SUPPORT)
    customer = UserFactory()
    html = client.get(admin("accounts_user_change", customer.pk)).content.decode()
    assert admin("auth_user_password_change", customer.pk) not in html
    listing = client.get(admin("accounts_user_changelist")).content.decode()
    assert (
        listing.count('<th scope="col" class="sortable')
        + listing.count('<th scope="col" class="column-')
        >= 6
    )
