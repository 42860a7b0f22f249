from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.signals import registration_confirmed
from enrollment import services


@receiver(user_logged_in, dispatch_uid="enrollment.accept_invitations_at_login")
def accept_invitations_at_login(sender, request, user, **kwargs):
    services.invitations_accept_for(user=user)


@receiver(registration_confirmed, dispatch_uid="enrollment.accept_invitations_at_confirmation")
def accept_invitations_at_confirmation(sender, user, **kwargs):
    services.invitations_accept_for(user=user)
