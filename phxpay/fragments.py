"""Rendered HTML kept in the shared cache under a digest of everything it shows.

Any change in what a fragment shows (an amount, a date, a name, the language, today's date where
"past due" depends on it) is a new key, so a kept copy can never show old money; an unchanged
fragment is not rendered again. Used where rendering grows with rows: the bills part of Details,
the rows of Account(s) and the Pay cells payments adds to them.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

KEPT_SECONDS = 24 * 60 * 60


def fragment_key(name: str, facts) -> str:
    """The key of fragment `name` showing `facts` (anything with a stable repr) in this language."""
    digest = hashlib.sha256(repr(facts).encode()).hexdigest()[:32]
    return f"fragment:{name}:{get_language()}:{digest}"


def kept_or_rendered(key: str, render: Callable[[], str]) -> SafeString:
    kept = cache.get(key)
    if kept is None:
        kept = str(render())
        cache.set(key, kept, KEPT_SECONDS)
    return mark_safe(kept)  # noqa: S308 (rendered by one of the app's templates, every value escaped)
