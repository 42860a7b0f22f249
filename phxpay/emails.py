"""The one way the portal sends email: templates rendered in the recipient's language, via Anymail."""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(
    *, name: str, to: Sequence[str], language: str, context: Mapping[str, object]
) -> None:
    """Render emails/<name>_subject.txt, _message.txt and _message.html in `language` and send them."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_message.txt", context)
        html = render_to_string(f"emails/{name}_message.html", context)
    message = EmailMultiAlternatives(
        # A header must be one line, whatever the template's whitespace.
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    # Anymail passes tags to the ESP, so deliveries can be told apart in its dashboard.
    message.tags = [name]
    message.send()


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path
