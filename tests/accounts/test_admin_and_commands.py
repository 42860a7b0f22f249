"""What staff see in the admin and what support runs from the command line."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from tests.conftest import confirmation_link, link_path, staff_signed_in
from tests.factories import PendingUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff_signed_in(client, UserFactory(username="cityStaff", is_staff=True, is_superuser=True))
    return client


def changelist(lang="en"):
    with translation.override(lang):
        return reverse("admin:accounts_user_changelist")


def test_admin_lists_users_with_state_and_latest_link(staff_client):
    pending = PendingUserFactory(username="pendingPat", confirmation_sent_at=timezone.now())
    UserFactory(username="confirmedCris")
    html = staff_client.get(changelist()).content.decode()
    assert "pendingPat" in html and "confirmedCris" in html
    assert "Pending confirmation" in html and "Confirmed" in html and "Staff" in html
    assert pending.confirmation_sent_at is not None


@pytest.mark.parametrize(
    "state,shown,hidden",
    [
        ("pending", "pendingPat", "confirmedCris"),
        ("confirmed", "confirmedCris", "pendingPat"),
        ("staff", "cityStaff", "pendingPat"),
    ],
)
def test_admin_filters_by_state(staff_client, state, shown, hidden):
    PendingUserFactory(username="pendingPat")
    UserFactory(username="confirmedCris")
    html = staff_client.get(changelist(), {"state": state}).content.decode()
    assert shown in html and hidden not in html


@pytest.mark.parametrize("query", ["findMe", "find.me@example.com", "Zanzibar"])
def test_admin_searches_user_name_email_and_name(staff_client, query):
    UserFactory(username="findMe", email="find.me@example.com", last_name="Zanzibar")
    UserFactory(username="otherOne")
    html = staff_client.get(changelist(), {"q": query}).content.decode()
    assert "findMe" in html and "otherOne" not in html


def test_admin_resend_action_mails_a_new_link_and_kills_the_old(
    staff_client, register, mailoutbox, django_capture_on_commit_callbacks
):
    register()
    old = link_path(confirmation_link(mailoutbox[0]))
    user = User.objects.get(username="testWilliamSample")
    confirmed = UserFactory(username="alreadyDone")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            changelist("es"),
            {"action": "resend_confirmation", "_selected_action": [user.pk, confirmed.pk]},
            follow=True,
        )
    html = response.content.decode()
    # Admin action messages are translated (Spanish admin here).
    with translation.override("es"):
        sent = translation.ngettext(
            "A new confirmation link was emailed to %(count)d pending user.",
            "New confirmation links were emailed to %(count)d pending users.",
            1,
        ) % {"count": 1}
        skipped = translation.ngettext(
            "%(count)d user was skipped: already confirmed or without an email address.",
            "%(count)d users were skipped: already confirmed or without an email address.",
            1,
        ) % {"count": 1}
    assert "pending user" not in sent  # really Spanish
    assert sent in html and skipped in html
    assert len(mailoutbox) == 2
    assert staff_client.get(old, follow=True).status_code == 404
    assert (
        staff_client.get(link_path(confirmation_link(mailoutbox[1])), follow=True).status_code
        == 200
    )


def test_resend_confirmation_command_by_user_name_or_email(
    register, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    register()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resend_confirmation", "testWilliamSample")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resend_confirmation", "WSTESTPHX10@GMAIL.COM")
    assert len(mailoutbox) == 3
    links = [confirmation_link(m) for m in mailoutbox]
    assert len(set(links)) == 3
    assert "earlier links no longer work" in capsys.readouterr().out


def test_resend_confirmation_command_fails_when_nothing_to_resend(db):
    UserFactory(username="confirmedCris")
    with pytest.raises(CommandError, match="already confirmed"):
        call_command("resend_confirmation", "confirmedCris")
    with pytest.raises(CommandError, match="No user"):
        call_command("resend_confirmation", "ghost")


def test_purge_unconfirmed_frees_old_pending_names_only(db):
    old = timezone.now() - timedelta(days=31)
    PendingUserFactory(username="oldPending", confirmation_sent_at=old)
    PendingUserFactory(username="freshPending", confirmation_sent_at=timezone.now())
    UserFactory(username="oldConfirmed", date_joined=old)
    call_command("purge_unconfirmed")
    names = set(User.objects.values_list("username", flat=True))
    assert names == {"freshPending", "oldConfirmed"}


def test_purge_unconfirmed_days_option(db):
    PendingUserFactory(username="weekOld", confirmation_sent_at=timezone.now() - timedelta(days=8))
    call_command("purge_unconfirmed", "--days", "30")
    assert User.objects.filter(username="weekOld").exists()
    call_command("purge_unconfirmed", "--days", "7")
    assert not User.objects.filter(username="weekOld").exists()
    with pytest.raises(CommandError):
        call_command("purge_unconfirmed", "--days", "0")


@pytest.mark.parametrize("command", ["resend_confirmation", "purge_unconfirmed"])
def test_support_commands_document_themselves(command, capsys):
    from django.core.management import load_command_class

    parser = load_command_class("accounts", command).create_parser("manage.py", command)
    help_text = parser.format_help()
    assert len(help_text) > 200
