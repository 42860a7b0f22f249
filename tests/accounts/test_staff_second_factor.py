"""Every admin page needs a second factor: an authenticator app, or a recovery code once."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.messages import TWO_STEP_CODE_WRONG as CODE_WRONG
from accounts.models import RecoveryCode, recovery_code_digest
from accounts.second_factor import totp_secret
from phxpay.models import AuditEvent
from tests.conftest import staff_signed_in
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def admin(name="index", lang="en"):
    from django.utils import translation

    with translation.override(lang):
        return reverse(f"admin:{name}")


def code_of(device: TOTPDevice) -> str:
    """What the staff member's app shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def password_step(client, user):
    return client.post(admin("login"), {"username": user.username, "password": DEFAULT_PASSWORD})


@pytest.fixture
def staff():
    return UserFactory(username="cityStaff", is_staff=True, is_superuser=True)


def test_the_password_alone_opens_no_admin_page(staff):
    client = Client()
    response = password_step(client, staff)
    assert response.status_code == 302
    assert response["Location"].startswith(admin("second_factor"))
    for page in (
        admin("index"),
        admin("accounts_user_changelist"),
        admin("phxpay_auditevent_changelist"),
    ):
        assert client.get(page).status_code == 302, page
    # Back at the login page, a half-signed-in staff member is sent on to the second step.
    assert client.get(admin("login"))["Location"].startswith(admin("second_factor"))


def test_the_first_sign_in_enrols_the_app_and_shows_recovery_codes_once(staff):
    client = Client()
    password_step(client, staff)
    page = client.get(admin("second_factor")).content.decode()
    assert "<svg" in page and "Key:" in page
    # Showing the key writes nothing: it waits in the session until a code confirms it.
    assert not TOTPDevice.objects.exists()
    candidate = TOTPDevice(key=client.session["_totp_candidate"])
    assert totp_secret(candidate.key) in page
    response = client.post(admin("second_factor"), {"code": code_of(candidate)})
    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    # Kept only as digests.
    stored = set(RecoveryCode.objects.filter(device__user=staff).values_list("digest", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not stored & set(codes)
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.get(admin("index")).status_code == 200
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.SECOND_FACTOR_ENROLLED, user=staff
    ).exists()


def test_a_wrong_code_is_refused_and_audited(staff):
    client = Client()
    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    password_step(client, staff)
    response = client.post(admin("second_factor"), {"code": "000000"})
    assert response.status_code == 200
    assert str(CODE_WRONG) in response.content.decode()
    assert client.get(admin("index")).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_FAILED).exists()


def test_the_app_code_opens_the_admin_and_returns_to_the_page_asked_for(staff):
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client = Client()
    password_step(client, staff)
    wanted = admin("accounts_user_changelist")
    response = client.post(
        f"{admin('second_factor')}?next={wanted}", {"code": code_of(device), "next": wanted}
    )
    assert response.status_code == 302 and response["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_a_recovery_code_works_once(staff):
    from accounts import second_factor

    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    (code,) = second_factor.recovery_codes_issue(user=staff, count=1)
    first = Client()
    password_step(first, staff)
    assert first.post(admin("second_factor"), {"code": code.upper()}).status_code == 302
    assert first.get(admin("index")).status_code == 200
    again = Client()
    password_step(again, staff)
    assert again.post(admin("second_factor"), {"code": code}).status_code == 200
    assert again.get(admin("index")).status_code == 302


def test_addstatictoken_issues_a_code_the_admin_accepts_once(staff):
    out = io.StringIO()
    call_command("addstatictoken", staff.username, "-t", "night-shift-42", stdout=out)
    assert out.getvalue().strip() == "night-shift-42"
    assert not RecoveryCode.objects.filter(digest="night-shift-42").exists()
    client = Client()
    password_step(client, staff)
    assert client.post(admin("second_factor"), {"code": "night-shift-42"}).status_code == 302
    assert client.get(admin("index")).status_code == 200
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.STAFF_ACTION, detail__action="addstatictoken"
    )
    assert event.detail["operator"]
    random = io.StringIO()
    call_command("addstatictoken", staff.username, stdout=random)
    assert len(random.getvalue().strip()) == 11


def test_addstatictoken_refuses_unknown_and_non_staff_users():
    with pytest.raises(CommandError, match="No user"):
        call_command("addstatictoken", "nobodyHere")
    UserFactory(username="customerOnly")
    with pytest.raises(CommandError, match="not staff"):
        call_command("addstatictoken", "customerOnly")


def test_an_administrator_resets_a_staff_members_factor(staff):
    other = UserFactory(username="supportAgent", is_staff=True)
    TOTPDevice.objects.create(user=other, name="app", confirmed=True)
    client = staff_signed_in(Client(), staff)
    response = client.post(
        admin("accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [other.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_RESET, user=other).exists()
    # Their next sign-in enrols a new app.
    agent = Client()
    password_step(agent, other)
    assert "<svg" in agent.get(admin("second_factor")).content.decode()


def test_the_demo_staff_user_has_a_known_key(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    device = TOTPDevice.objects.get(user__username="cityStaff", confirmed=True)
    assert totp_secret(device.key) in out and "otpauth://totp/" in out
