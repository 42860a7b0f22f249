"""An email backend that fails like an ESP outage for its first N sends, then delivers."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class OutageBackend(EmailBackend):
    failures_left = 0

    def send_messages(self, messages):
        if OutageBackend.failures_left > 0:
            OutageBackend.failures_left -= 1
            raise ConnectionError("ESP unavailable (503)")
        return super().send_messages(messages)


def outbox():
    return getattr(mail, "outbox", [])
