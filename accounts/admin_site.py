"""The staff admin: Django's admin, where every page also needs the second factor.

Signing in is two steps: the password (Django's admin login), then a code from the authenticator
app or a recovery code (accounts.second_factor). A staff member without an app enrols one at that
step. Until the code is accepted the session is signed in but not verified, and no admin page opens.
"""

from django.contrib import admin
from django.contrib import messages as django_messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from accounts import dashboard, messages, passkeys, second_factor
from accounts.forms import TwoStepCodeForm
from phxpay.ratelimit import rate_limited


class StaffAdminSite(admin.AdminSite):
    site_header = "PHX Pay Online"
    site_title = "PHX Pay Online"

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def _next(self, request) -> str:
        target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
        if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            return target
        return reverse("admin:index", current_app=self.name)

    def _second_factor_url(self, request) -> str:
        url = reverse("admin:second_factor", current_app=self.name)
        return f"{url}?{REDIRECT_FIELD_NAME}={self._next(request)}"

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_staff and user.is_active and not user.is_verified():
            return redirect(self._second_factor_url(request))
        response = super().login(request, extra_context)
        if request.method == "POST" and request.user.is_authenticated and request.user.is_staff:
            return redirect(self._second_factor_url(request))
        return response

    def get_urls(self):
        return [
            path("second-factor/", self.second_factor_view, name="second_factor"),
            path("dashboard/", self.admin_view(self.dashboard_view), name="dashboard"),
            path("passkeys/mine/", self.admin_view(self.passkeys_view), name="passkeys"),
        ] + super().get_urls()

    def dashboard_view(self, request):
        """The city's numbers (accounts.dashboard), for whoever may read the audit log."""
        if not request.user.has_perm("phxpay.view_auditevent"):
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": _("Dashboard"),
            **dashboard.dashboard_numbers(),
        }
        return render(request, "admin/dashboard.html", context)

    def passkeys_view(self, request):
        """A staff member's own passkeys: add one (the browser's ceremony, accounts.passkeys) or
        remove one (a POST here)."""
        user = request.user
        if request.method == "POST":
            try:
                passkey_id = int(request.POST.get("remove", ""))
            except ValueError:
                passkey_id = 0
            if passkey_id and passkeys.passkey_remove(user=user, passkey_id=passkey_id):
                django_messages.success(request, messages.PASSKEY_REMOVED)
            return redirect(reverse("admin:passkeys", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Passkeys"),
            "passkeys": [
                (passkey, passkeys.passkey_kind(passkey))
                for passkey in passkeys.staff_passkeys(user=user)
            ],
            "passkeys_available": passkeys.passkeys_available(request=request),
        }
        return render(request, "admin/passkeys.html", context)

    @method_decorator(never_cache)
    @method_decorator(sensitive_post_parameters("code"))
    @method_decorator(
        rate_limited("second_factor", target=lambda request: str(request.user.pk or ""))
    )
    def second_factor_view(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect(f"{reverse('admin:login', current_app=self.name)}")
        if user.is_verified():
            return redirect(self._next(request))
        form = TwoStepCodeForm(request.POST or None)
        enrolling = not second_factor.has_second_factor(user=user)
        context = {
            **self.each_context(request),
            "title": _("Second factor"),
            "form": form,
            "next": self._next(request),
            "enrolling": enrolling,
            "passkey_offered": not enrolling
            and passkeys.passkeys_available(request=request)
            and passkeys.staff_passkeys(user=user).exists(),
        }
        if enrolling:
            context.update(second_factor.totp_candidate(session=request.session, user=user))
        if request.method == "POST" and form.is_valid():
            code = form.cleaned_data["code"]
            if enrolling:
                enrolled = second_factor.totp_enrol_confirm(
                    user=user, key=context["key"], token=code
                )
                if enrolled is not None:
                    del request.session[second_factor.TOTP_CANDIDATE_SESSION_KEY]
                    device, codes = enrolled
                    otp_login(request, device)
                    context.update(recovery_codes=codes, enrolling=False)
                    return render(request, "admin/recovery_codes.html", context)
            else:
                device = second_factor.second_factor_verify(user=user, token=code)
                if device is not None:
                    otp_login(request, device)
                    return redirect(self._next(request))
            form.add_error("code", messages.TWO_STEP_CODE_WRONG)
        return render(request, "admin/second_factor.html", context)
