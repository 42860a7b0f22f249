"""Validators for what people type into the portal's forms."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

NAME_MAX_LENGTH = 50
# Letters of any script, single separators (space, apostrophes, hyphen, period) between them.
_NAME_RE = re.compile(r"[^\W\d_]+(?:(?:[ '’-]|\. ?)[^\W\d_]+)*\.?")
# A period straight before two or more letters reads as a web address ("evil.com", "bit.ly").
_DOMAIN_LIKE_RE = re.compile(r"\.[^\W\d_]{2,}")

NAME_INVALID = _(
    "Enter your name with letters only (spaces, apostrophes, hyphens and periods are fine), "
    "at most 50 characters."
)
EMAIL_UNSTABLE = _(
    "Enter a valid email address using ordinary characters: this one contains look-alike letters."
)
USERNAME_ASCII = _("Enter a User Name with English letters (A–Z), digits and @ . + - _ only.")


def validate_person_name(value: str) -> None:
    """First and last names: what names contain, nothing an attacker could phrase a message with.

    Names appear in official emails and pages, so no digits, web addresses, line breaks or symbols.
    """
    value = unicodedata.normalize("NFC", value)
    if (
        len(value) > NAME_MAX_LENGTH
        or not _NAME_RE.fullmatch(value)
        or _DOMAIN_LIKE_RE.search(value)
    ):
        raise ValidationError(NAME_INVALID, code="name")


def validate_stable_email(value: str) -> None:
    """Refuse addresses that another spelling folds into (Kelvin sign "K" for "K", fullwidth…).

    Uniqueness and lookups compare lower-cased text; an address that NFKC or case folding would
    change could squat someone else's.
    """
    if unicodedata.normalize("NFKC", value) != value or value.casefold() != value.lower():
        raise ValidationError(EMAIL_UNSTABLE, code="email_unstable")


# The Register form's rule for new User Names (the seed: 4 to 32 characters), ASCII only: Cyrillic
# "а" or fullwidth letters would make look-alikes of other people's names.
registration_username_validator = RegexValidator(
    r"^[A-Za-z0-9@.+_-]+\Z", USERNAME_ASCII, code="username_ascii"
)

# What any stored User Name may hold: registered names, and the e-bill email addresses that
# pre-created users sign in with (their local part may hold ' % & and more): printable ASCII.
stored_username_validator = RegexValidator(
    r"^[\x21-\x7e]+\Z", USERNAME_ASCII, code="username_ascii"
)


class MaximumLengthValidator:
    """Caps password length so hashing cost stays bounded; the cap is far above the 64 NIST asks for."""

    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return ngettext(
            "Your password can be up to %(max_length)d character long.",
            "Your password can be up to %(max_length)d characters long.",
            self.max_length,
        ) % {"max_length": self.max_length}
