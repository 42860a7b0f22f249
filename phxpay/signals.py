"""Audit records for events Django and its libraries announce with signals."""

from axes.signals import user_locked_out
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from phxpay.audit import Kind, record


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    record(Kind.LOGIN_SUCCEEDED, user=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; only the name is kept.
    record(Kind.LOGIN_FAILED, username=str(credentials.get("username", ""))[:254])


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.LOGGED_OUT, user=user)


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOGIN_LOCKED_OUT, username=str(username or "")[:254])


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.staff_action")
def _staff_action(sender, instance, created, **kwargs):
    if created:
        record(
            Kind.STAFF_ACTION,
            user=instance.user,
            action={1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "other"),
            object=f"{instance.content_type.app_label}.{instance.content_type.model}:{instance.object_id}",
            repr=instance.object_repr[:200],
            message=instance.get_change_message()[:500],
        )
