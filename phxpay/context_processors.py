from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from phxpay import contact, durations


def language_switch(request) -> list[dict]:
    """For each language, where its switch button lands: this page in that language.

    Worked out here, while the page's own language is active: /i18n/setlang/ has no prefix, so it
    runs in the browser's language and cannot resolve a page address in another one (Django's
    translate_url then returns it unchanged, and "English" would reload the Spanish page).
    """
    if request is None:
        return []
    path = request.get_full_path()
    current = translation.get_language()
    switch = []
    for code, name in settings.LANGUAGES:
        target = translate_url(path, code)
        if target == path and code != current and path.startswith(f"/{current}/"):
            # An address the site does not have (the 404 page): the same one under the other prefix.
            target = f"/{code}/{path.removeprefix(f'/{current}/')}"
        switch.append({"code": code, "name": name, "next": target, "current": code == current})
    return switch


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
        "language_switch": language_switch(request),
        "durations": durations.as_context(),
    }
