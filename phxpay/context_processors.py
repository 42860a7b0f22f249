from django.conf import settings
from django.urls import translate_url

from phxpay import contact, durations


def portal(request):
    """Values every page needs: the city's contact details and this page in the other language(s)."""
    alternates = []
    if request is not None and request.resolver_match is not None:
        alternates = [
            {"code": code, "url": settings.SITE_URL + translate_url(request.get_full_path(), code)}
            for code, _name in settings.LANGUAGES
        ]
    return {
        "contact": contact,
        "site_url": settings.SITE_URL,
        "language_alternates": alternates,
        "durations": durations.as_context(),
    }
