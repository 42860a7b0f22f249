"""Passkeys (WebAuthn) as a staff second factor, beside the authenticator app.

django-otp-webauthn does the ceremony: its browser script asks the browser's authenticator, py_webauthn
checks the signatures, and a passkey is one more django-otp device, so `is_verified()` and the admin's
gate (accounts.admin_site) treat it like the app. What this module adds is the portal's policy:

- The relying party is the public site (SITE_URL): its host name is the passkey's scope and its
  origin the only one accepted. A passkey needs a host name; at an IP address the portal offers none.
- Passkeys are for staff, and are added only from a session already verified by the app or a
  recovery code: a stolen password alone can never plant one. The app stays the factor every staff
  member has, so a lost passkey never locks anyone out.
- Every passkey added, used, refused or removed is in the audit log.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions, views
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from accounts import messages
from accounts.models import User
from phxpay import translations
from phxpay.audit import Kind, record
from phxpay.ratelimit import rate_limited


def relying_party_id(request: HttpRequest | None = None) -> str:
    """The passkeys' scope: SITE_URL's host name (the library calls this with the request)."""
    return urlsplit(settings.SITE_URL).hostname or ""


def passkeys_available(*, request: HttpRequest) -> bool:
    """Browsers refuse passkeys at an IP address, over plain http (except on localhost), and for a
    host other than the relying party's."""
    site = urlsplit(settings.SITE_URL)
    rp_id = site.hostname or ""
    try:
        ipaddress.ip_address(rp_id)
        return False
    except ValueError:
        pass
    secure = site.scheme == "https" or rp_id == "localhost"
    return bool(rp_id) and secure and request.get_host().rsplit(":", 1)[0] == rp_id


class PasskeyHelper(WebAuthnHelper):
    def get_credential_display_name(self, user) -> str:
        return user.get_username()

    def get_credential_name(self, user) -> str:
        return user.get_username()


def staff_passkeys(*, user: User):
    return WebAuthnCredential.objects.filter(user=user).order_by("created_at")


def passkey_kind(passkey: WebAuthnCredential) -> str:
    """What the passkey is, from how the browser reaches it: what a staff member recognises in the
    list (the library stores no name, and browsers tell nothing more)."""
    transports = set(passkey.transports or [])
    if "internal" in transports:
        kind = _("Built into a computer or phone")
    elif "hybrid" in transports:
        kind = _("On a phone nearby")
    elif transports & {"usb", "nfc", "ble"}:
        kind = _("Security key")
    else:
        kind = _("Passkey")
    if passkey.backup_eligible:
        return _("%(kind)s, synced across devices") % {"kind": kind}
    return str(kind)


def passkey_remove(*, user: User, passkey_id: int) -> bool:
    """A staff member removes one of their own passkeys; False if it is not theirs."""
    with transaction.atomic():
        deleted, _detail = WebAuthnCredential.objects.filter(user=user, pk=passkey_id).delete()
    if deleted:
        record(Kind.PASSKEY_REMOVED, user=user, passkey=passkey_id)
    return bool(deleted)


class PasskeysNotForCustomers(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "passkeys_staff_only"
    default_detail = messages.PASSKEY_STAFF_ONLY


class VerifyFirst(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "not_verified"
    default_detail = messages.PASSKEY_VERIFY_FIRST


class _StaffCeremony:
    # Set on the "complete" views: a refusal there is a failed second factor, audited.
    failure_step = ""

    def get_user(self):
        user = self.request.user
        return user if user.is_authenticated and user.is_active else None

    def handle_exception(self, exc):
        """Every refusal answers JSON with a translated message (the library's details are English
        only), and whatever a browser can send that the library does not expect is a 400, not a 500."""
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            status, code = exc.status_code, exc.code
            detail = exc.detail if isinstance(exc, (PasskeysNotForCustomers, VerifyFirst)) else None
            if isinstance(exc, exceptions.NotVerified):
                detail = messages.PASSKEY_VERIFY_FIRST
        elif isinstance(exc, (ValueError, TypeError, KeyError, AttributeError)):
            status, code, detail = 400, "malformed", None
        else:
            raise exc
        if self.failure_step and self.request.user.is_authenticated:
            record(Kind.SECOND_FACTOR_FAILED, user=self.request.user, step=self.failure_step)
        return JsonResponse(
            {"detail": str(detail or messages.PASSKEY_REFUSED), "code": code}, status=status
        )


class _StaffRegistration(_StaffCeremony):
    def check_can_register(self):
        user = self.get_user()
        if not user.is_staff:
            raise PasskeysNotForCustomers()
        # Stricter than the library, which lets a user with no device at all add a passkey: here the
        # session must have passed the app (or a recovery code) first.
        if not user.is_verified():
            raise VerifyFirst()


class BeginRegistration(_StaffRegistration, views.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(_StaffRegistration, views.CompleteCredentialRegistrationView):
    failure_step = "passkey_add"

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        record(Kind.PASSKEY_ADDED, user=self.request.user)
        return response


class PasskeyScriptCatalog(JavaScriptCatalog):
    """The browser script's messages, from our catalogue (phxpay.translations.PASSKEY_SCRIPT), not
    the package's, so its Spanish says "llave de acceso" and keeps "Clave" for the password."""

    def get_catalog(self):
        return {msgid: gettext(msgid) for msgid in translations.PASSKEY_SCRIPT}


def _staff_member(request, *args, **kwargs) -> str:
    return str(request.user.pk or "")


class _StaffAuthentication(_StaffCeremony):
    def check_can_authenticate(self):
        user = self.get_user()
        # Passkeys are a second step after the password, never a way in on their own.
        if user is None or not user.is_staff:
            raise exceptions.NotAuthenticated()


@method_decorator(rate_limited("second_factor", target=_staff_member), name="dispatch")
class BeginAuthentication(_StaffAuthentication, views.BeginCredentialAuthenticationView):
    pass


@method_decorator(rate_limited("second_factor", target=_staff_member), name="dispatch")
class CompleteAuthentication(_StaffAuthentication, views.CompleteCredentialAuthenticationView):
    failure_step = "passkey"

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        record(Kind.SECOND_FACTOR_VERIFIED, user=self.request.user, device="WebAuthnCredential")
        return response

    def get_success_url(self):
        return self.get_redirect_url() or reverse("admin:index")
