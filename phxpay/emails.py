"""The one way the portal sends email: templates rendered in the recipient's language, via Anymail."""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from phxpay import contact

BILINGUAL = None  # for a recipient whose language we do not know: English, then Spanish

HTML_DOCUMENT = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1b1b1b;">'
    "{body}</body></html>"
)


def _render(name: str, language: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_message.txt", context)
        html = '<div lang="{}">{}</div>'.format(
            language, render_to_string(f"emails/{name}_message.html", context)
        )
    # A header must be one line, whatever the template's whitespace.
    return " ".join(subject.split()), text, html


def send_templated_email(
    *, name: str, to: Sequence[str], language: str | None, context: Mapping[str, object]
) -> None:
    """Render emails/<name>_subject.txt, _message.txt and _message.html and send them.

    `language` is the recipient's; BILINGUAL sends every language in one message.
    """
    context = {
        "site_url": settings.SITE_URL,
        "contact_email": contact.EMAIL,
        "contact_phone": contact.PHONE,
        **context,
    }
    if language is BILINGUAL:
        parts = [_render(name, code, context) for code, _name in settings.LANGUAGES]
        subject = " / ".join(part[0] for part in parts)
        text = "\n\n------------------------------\n\n".join(part[1] for part in parts)
        body = "<hr>".join(part[2] for part in parts)
        content_language = ", ".join(code for code, _name in settings.LANGUAGES)
        html = HTML_DOCUMENT.format(lang=settings.LANGUAGE_CODE, title=escape(subject), body=body)
    else:
        subject, text, body = _render(name, language, context)
        content_language = language
        html = HTML_DOCUMENT.format(lang=language, title=escape(subject), body=body)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers={"Content-Language": content_language},
    )
    message.attach_alternative(html, "text/html")
    # Anymail passes tags to the ESP, so deliveries can be told apart in its dashboard.
    message.tags = [name]
    message.send()


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path
