"""Every support command answers --help, and each change it makes is audited with the operator."""

import getpass

import pytest
from django.core.management import call_command

from phxpay.models import AuditEvent
from tests.factories import BillingAccountFactory, PendingUserFactory, PrecreatedUserFactory

pytestmark = pytest.mark.django_db

COMMANDS = [
    "resend_confirmation",
    "unlock_account",
    "unlock_signin",
    "send_legacy_welcome",
    "purge_unconfirmed",
    "customer",
    "addstatictoken",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_support_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command(command, "--help")
    assert exit_.value.code == 0
    assert len(capsys.readouterr().out) > 200


@pytest.mark.parametrize(
    "command,target",
    [
        ("resend_confirmation", lambda: PendingUserFactory().username),
        ("unlock_account", lambda: BillingAccountFactory().account_number),
        ("send_legacy_welcome", lambda: PrecreatedUserFactory().email),
    ],
)
def test_each_change_is_audited_with_the_operators_os_user_name(command, target, capsys):
    call_command(command, target())
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.STAFF_ACTION, detail__action=command)
    assert event.detail["operator"] == getpass.getuser()


def test_purge_unconfirmed_is_audited_with_its_count(capsys):
    call_command("purge_unconfirmed")
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.STAFF_ACTION, detail__action="purge_unconfirmed"
    )
    assert event.detail["deleted"] == 0 and event.detail["operator"] == getpass.getuser()
