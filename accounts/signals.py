from django.dispatch import Signal

# Sent with `user` once step 2 of the registration has set the password (other apps react to it,
# e.g. invitations waiting for that email address).
registration_confirmed = Signal()
