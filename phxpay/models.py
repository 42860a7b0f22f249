from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only record of a security event. Never holds a password, PIN or token.

    Rows are never updated (a PostgreSQL trigger refuses it), with one exception: deleting a user
    sets `user` to NULL and nothing else, and `username` keeps who it was. Only
    `manage.py prune_audit_log` deletes rows, once they are older than AUDIT_RETENTION_DAYS.
    """

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("Sign-in succeeded")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGIN_LOCKED_OUT = "login_locked_out", _("Sign-in locked out")
        LOGGED_OUT = "logged_out", _("Signed out")
        REGISTERED = "registered", _("Registration started")
        REGISTRATION_CONFIRMED = "registration_confirmed", _("Registration confirmed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
        EMAIL_CHANGE_REQUESTED = "email_change_requested", _("Email change requested")
        EMAIL_CHANGED = "email_changed", _("Email changed")
        PIN_FAILED = "pin_failed", _("Wrong PIN")
        PIN_LOCKOUT = "pin_lockout", _("Account PIN lockout")
        PIN_USER_BLOCKED = "pin_user_blocked", _("User blocked from PIN guessing")
        ENROLLED = "enrolled", _("Account enrolled")
        ENROLLMENT_REMOVED = "enrollment_removed", _("Account removed from a list")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked by staff")
        STAFF_ACTION = "staff_action", _("Staff action in the admin")
        BILLING_EMAIL_CHANGED = "billing_email_changed", _("Billing email changed")
        FIRST_SIGNIN_LINK_SENT = "first_signin_link_sent", _("First sign-in link sent")
        EMAIL_CHANGE_UNDONE = "email_change_undone", _("Email change undone")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor set up")
        SECOND_FACTOR_VERIFIED = "second_factor_verified", _("Second factor accepted")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Second factor refused")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
        SIGNIN_UNLOCKED = "signin_unlocked", _("Sign-in pause ended by support")
        PASSKEY_ADDED = "passkey_added", _("Passkey added")
        PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
        PAYMENT_CREATED = "payment_created", _("Payment started")
        PAYMENT_APPROVED = "payment_approved", _("Payment approved")
        PAYMENT_DECLINED = "payment_declined", _("Payment declined or not completed")
        PAYMENT_REFUNDED = "payment_refunded", _("Payment refunded")
        PAYMENTS_EXPORTED = "payments_exported", _("Payments exported to the CIS")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept as text too: the record must survive the user's deletion and name failed sign-ins.
    username = models.CharField(_("User Name"), max_length=254, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)


class OutboundEmail(models.Model):
    """One email the portal must deliver: queued in the request's transaction, sent by a task.

    Holds what to build, never a link token: tokens are made when the email is actually sent, so a
    retried or delayed send cannot mail a link a newer one replaced, and no secret waits here.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not needed any more")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("email"), max_length=60, db_index=True)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    to = models.CharField(_("recipients"), max_length=600, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    esp_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.kind} → {self.to or '…'} ({self.status})"
