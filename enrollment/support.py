"""What a support agent sees of one customer, and the four things they can do for them.

The admin's customer page (enrollment.admin.CustomerAdmin) and `manage.py customer` show the same
`customer_overview`; the page's buttons and the shell commands call the same services. Every action
is audited with who ran it (the staff member, or the operator's OS user name for a command).
"""

import enum
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import User
from enrollment import precreated
from enrollment.models import Enrollment, Invitation
from phxpay.audit import Kind, record


@dataclass
class CustomerOverview:
    user: User
    states: list[str]
    signin_paused: bool
    enrollments: list
    invitations: list
    audit_events: list
    emails: list


def customer_find(*, identifier: str) -> User | None:
    """By exact User Name, email (any case) or 10-digit account number (the account's holder first)."""
    identifier = identifier.strip()
    user = User.objects.filter(username=identifier).first()
    if user is None and "@" in identifier:
        user = User.objects.filter(email__lower=identifier.lower()).first()
    if user is None and identifier.isdigit():
        enrollment = (
            Enrollment.objects.filter(account__account_number=identifier)
            .select_related("user")
            .order_by("role", "created_at")
            .first()
        )
        user = enrollment.user if enrollment else None
    return user


def customer_overview(*, user: User) -> CustomerOverview:
    paused = account_selectors.signin_paused(user=user)
    invitations = Invitation.objects.filter(
        Q(accepted_by=user) | Q(email__lower=user.email.lower())
        if user.email
        else Q(accepted_by=user)
    ).select_related("account", "invited_by")
    return CustomerOverview(
        user=user,
        states=account_selectors.customer_states(user=user, paused=paused),
        signin_paused=paused,
        enrollments=list(
            Enrollment.objects.filter(user=user).select_related("account").order_by("created_at")
        ),
        invitations=list(invitations.order_by("-created_at")[: account_selectors.RECENT]),
        audit_events=list(account_selectors.recent_audit_events(user=user)),
        emails=list(account_selectors.recent_emails(user=user)),
    )


class SupportAction(enum.Enum):
    RESEND_CONFIRMATION = "resend_confirmation"
    UNLOCK_SIGNIN = "unlock_signin"
    PASSWORD_RESET = "password_reset"
    FIRST_SIGNIN = "first_signin"

    @property
    def label(self):
        return ACTION_LABELS[self]


ACTION_LABELS = {
    SupportAction.RESEND_CONFIRMATION: _("Resend confirmation email"),
    SupportAction.UNLOCK_SIGNIN: _("Unlock sign-in"),
    SupportAction.PASSWORD_RESET: _("Send password reset"),
    SupportAction.FIRST_SIGNIN: _("Resend first-sign-in instructions"),
}
ACTION_DONE = {
    SupportAction.RESEND_CONFIRMATION: _(
        "A new confirmation link was emailed to %(email)s; earlier links stop working."
    ),
    SupportAction.UNLOCK_SIGNIN: _("Sign-in is unlocked: %(username)s can sign in again."),
    SupportAction.PASSWORD_RESET: _("A password reset link was emailed to %(email)s."),
    SupportAction.FIRST_SIGNIN: _("The first-sign-in instructions were emailed to %(email)s."),
}


def support_actions_for(*, user: User, signin_paused: bool) -> list[SupportAction]:
    """The actions that make sense for this customer now (the page shows only these)."""
    actions = []
    if not user.is_confirmed and user.email:
        actions.append(SupportAction.RESEND_CONFIRMATION)
    if signin_paused:
        actions.append(SupportAction.UNLOCK_SIGNIN)
    if user.is_confirmed and user.email and user.is_active:
        actions.append(SupportAction.PASSWORD_RESET)
    if user.precreated and user.must_change_password and user.is_active:
        actions.append(SupportAction.FIRST_SIGNIN)
    return actions


def support_action_run(
    *, user: User, action: SupportAction, by: User | None = None, operator: str = ""
) -> bool:
    """Run one action; False when it does not apply to this customer (nothing is done then)."""
    paused = account_selectors.signin_paused(user=user)
    if action not in support_actions_for(user=user, signin_paused=paused):
        return False
    if action is SupportAction.RESEND_CONFIRMATION:
        account_services.confirmation_resend(user=user)
    elif action is SupportAction.UNLOCK_SIGNIN:
        account_services.signin_unlock(username=user.username, by=by, operator=operator)
    elif action is SupportAction.PASSWORD_RESET:
        account_services.password_reset_request(email=user.email)
    else:
        precreated.first_signin_instructions_send(user=user)
    record(
        Kind.STAFF_ACTION,
        user=user,
        action=action.value,
        by=by.get_username() if by else "",
        operator=operator,
    )
    return True
