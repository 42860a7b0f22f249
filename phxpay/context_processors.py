from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from phxpay import contact, durations


def _page_in_each_language(request) -> dict[str, str]:
    """This page's address in every language, worked out once per request from the match the
    resolver already made (Django's translate_url would resolve the path again for each language,
    and a page's templates may call this processor several times)."""
    cached = getattr(request, "_phx_page_in_each_language", None)
    if cached is not None:
        return cached
    path = request.get_full_path()
    match = request.resolver_match
    addresses = {}
    for code, _name in settings.LANGUAGES:
        address = path
        if match is not None and match.url_name:
            with translation.override(code):
                try:
                    address = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
                except NoReverseMatch:
                    pass
                else:
                    address = urlunsplit(urlsplit(path)._replace(path=address))
        addresses[code] = address
    request._phx_page_in_each_language = addresses
    return addresses


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
    addresses = _page_in_each_language(request)
    switch = []
    for code, name in settings.LANGUAGES:
        target = addresses[code]
        if target == path and code != current and path.startswith(f"/{current}/"):
            # An address the site does not have (the 404 page): the same one under the other prefix.
            target = f"/{code}/{path.removeprefix(f'/{current}/')}"
        switch.append({"code": code, "name": name, "next": target, "current": code == current})
    return switch


# The main menu: (URL name, label, the views it is the current item for). Signed in, then signed out.
MENU_SIGNED_IN = (
    ("home", _("Home"), {"home"}),
    ("enrollment:accounts", _("Account(s)"), {"enrollment:accounts", "enrollment:enroll"}),
    ("enrollment:details_first", _("Details"), {"enrollment:details", "enrollment:details_first"}),
    (
        "enrollment:settings_first",
        _("Account Settings"),
        {"enrollment:settings", "enrollment:settings_first", "enrollment:remove"},
    ),
    ("accounts:profile", _("User Profile"), {"accounts:profile"}),
    ("links", _("Links"), {"links"}),
    ("help", _("Help"), {"help"}),
)
MENU_SIGNED_OUT = (
    ("home", _("Home"), {"home"}),
    ("accounts:login", _("Login"), {"accounts:login"}),
    ("accounts:register", _("Register"), {"accounts:register"}),
    ("accounts:password_reset", _("Reset Password"), {"accounts:password_reset"}),
)
_menu_addresses: dict[tuple[str, str], dict[str, str]] = {}


def main_menu(request) -> list[dict]:
    """The menu's items for this page. Its addresses depend only on the language (and the script
    prefix), so they are reversed once per process, not once per item on every page."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    key = (translation.get_language(), get_script_prefix())
    if key not in _menu_addresses:
        names = {name for name, _label, _current in MENU_SIGNED_IN + MENU_SIGNED_OUT}
        _menu_addresses[key] = {name: reverse(name) for name in names}
    addresses = _menu_addresses[key]
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match is not None else None
    return [
        {"url": addresses[name], "label": label, "current": here in current}
        for name, label, current in (MENU_SIGNED_IN if signed_in else MENU_SIGNED_OUT)
    ]


def portal(request):
    """Values every page needs: the city's contact details and this page in the other language(s)."""
    alternates = []
    if request is not None and request.resolver_match is not None:
        alternates = [
            {"code": code, "url": settings.SITE_URL + address}
            for code, address in _page_in_each_language(request).items()
        ]
    return {
        "contact": contact,
        "site_url": settings.SITE_URL,
        "language_alternates": alternates,
        "language_switch": language_switch(request),
        "main_menu": main_menu(request) if request is not None else [],
        "durations": durations.as_context(),
    }
