"""The one way the portal sends email.

Services call `queue_email(kind, **params)` inside their transaction. That records an
OutboundEmail row and, once the transaction commits, enqueues the delivery task (phxpay.tasks):
nothing is mailed for a rolled-back change, and an email provider outage never breaks a page.
At delivery the kind's *builder* turns the params (ids, never secrets) into an EmailSpec: who, in
which language, with which context; the builder may return None when the email is no longer
needed (a newer confirmation link superseded it, an invitation was revoked…).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.module_loading import import_string

from phxpay import contact, durations

BILINGUAL = None  # for a recipient whose language we do not know: English, then Spanish

HTML_DOCUMENT = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1b1b1b;">'
    "{body}</body></html>"
)


@dataclass(frozen=True)
class EmailSpec:
    """A rendered-on-demand email: templates emails/<name>_{subject,message}.{txt,html}."""

    name: str
    to: Sequence[str]
    language: str | None
    context: Mapping[str, object] = field(default_factory=dict)


Builder = Callable[..., EmailSpec | None]

# Every email the portal sends: its kind, and the function that builds it from the queued params.
# One table, read at delivery (dotted paths, so this foundation module imports no app): a new email
# is a new line here, a builder in its app's emails.py, and its three templates.
BUILDERS: dict[str, str] = {
    "registration_confirmation": "accounts.emails.registration_confirmation",
    "password_reset": "accounts.emails.password_reset",
    "email_change": "accounts.emails.email_change",
    "email_change_undo": "accounts.emails.email_change_undo",
    "security_notice": "accounts.emails.security_notice",
    "account_enrolled": "enrollment.emails.account_enrolled",
    "billing_email_changed": "enrollment.emails.billing_email_changed",
    "account_locked": "enrollment.emails.account_locked",
    "invitation": "enrollment.emails.invitation",
    "invitation_accepted": "enrollment.emails.invitation_accepted",
    "precreated_welcome": "enrollment.emails.precreated_welcome",
    "first_signin_link": "enrollment.emails.first_signin_link",
    "bill_ready": "billing.emails.bill_ready",
    "due_reminder": "billing.emails.due_reminder",
    "payment_receipt": "payments.emails.payment_receipt",
}


def build(kind: str, params: Mapping[str, object]) -> EmailSpec | None:
    builder: Builder = import_string(BUILDERS[kind])
    return builder(**params)


def queue_email(kind: str, **params) -> None:
    """Deliver the `kind` email after the current transaction commits (retried on failure)."""
    from phxpay.models import OutboundEmail
    from phxpay.tasks import deliver_email

    if kind not in BUILDERS:
        raise KeyError(f"no email builder registered for {kind!r}")
    outbound = OutboundEmail.objects.create(kind=kind, params=params)
    transaction.on_commit(lambda: deliver_email.enqueue(outbound.pk))


def _render(name: str, language: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_message.txt", context)
        html = '<div lang="{}">{}</div>'.format(
            language, render_to_string(f"emails/{name}_message.html", context)
        )
    # A header must be one line, whatever the template's whitespace.
    return " ".join(subject.split()), text, html


def render_email(spec: EmailSpec) -> EmailMultiAlternatives:
    """Render `spec` in its recipient's language (BILINGUAL: every language in one message)."""
    context = {
        "site_url": settings.SITE_URL,
        "contact_email": contact.EMAIL,
        "contact_phone": contact.PHONE,
        "durations": durations.as_context(),
        **spec.context,
    }
    if spec.language is BILINGUAL:
        parts = [_render(spec.name, code, context) for code, _name in settings.LANGUAGES]
        subject = " / ".join(part[0] for part in parts)
        text = "\n\n------------------------------\n\n".join(part[1] for part in parts)
        body = "<hr>".join(part[2] for part in parts)
        content_language = ", ".join(code for code, _name in settings.LANGUAGES)
        lang = settings.LANGUAGE_CODE
    else:
        subject, text, body = _render(spec.name, spec.language, context)
        content_language = lang = spec.language
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(spec.to),
        headers={"Content-Language": content_language},
    )
    message.attach_alternative(
        HTML_DOCUMENT.format(lang=lang, title=escape(subject), body=body), "text/html"
    )
    # Anymail passes tags to the ESP, so deliveries can be told apart in its dashboard.
    message.tags = [spec.name]
    return message


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path
