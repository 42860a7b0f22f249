from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login

from accounts import messages, second_factor, services
from accounts.forms import (
    ChangePasswordForm,
    ConfirmRegistrationForm,
    EmailChangeForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    TwoStepCodeForm,
    TwoStepOffForm,
)
from accounts.models import User
from phxpay import durations, links
from phxpay.ratelimit import rate_limited

CONFIRMATION_SESSION_KEY = "_confirmation_token"
TWO_STEP_SESSION_KEY = "_two_step_pending"
REGISTERED_EMAIL_SESSION_KEY = "_registered_email"


_no_store = links.no_store
_leaving_token_url = links.leaving_token_url


def _confirmation_not_found(request):
    context = {"confirmation_not_found": messages.CONFIRMATION_NOT_FOUND}
    return _no_store(render(request, "accounts/confirm_invalid.html", context, status=404))


@require_http_methods(["GET", "POST"])
@rate_limited("register", target=lambda request: request.POST.get("email", ""))
def register(request):
    # An invitation email links here with ?email= so the invited address is already filled in.
    invited = request.GET.get("email", "")[:254]
    form = RegistrationForm(
        request.POST or None, initial={"email": invited, "confirm_email": invited}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_start(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                language=translation.get_language(),
            )
        except services.RegistrationError as error:
            for problem in error.problems:
                form.add_error(problem.field, ValidationError(problem.message, code=problem.code))
        else:
            if registration.previous_email_bounced:
                flash.warning(request, messages.EMAIL_BOUNCED_HINT % {"email": data["email"]})
            # The next page names the address, so a typo shows at once.
            request.session[REGISTERED_EMAIL_SESSION_KEY] = data["email"]
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request):
    email = request.session.get(REGISTERED_EMAIL_SESSION_KEY, "")
    context = {
        "notice": messages.REGISTRATION_ALMOST_DONE,
        "sent_to": messages.REGISTRATION_SENT_TO % {"email": email} if email else "",
    }
    return render(request, "accounts/register_done.html", context)


@require_http_methods(["GET"])
def confirm_link(request, token):
    """The PHXwelcome email's link (phxpay.links.token_landing)."""
    return links.token_landing(
        request,
        token=token,
        valid=services.confirmation_user(token=token) is not None,
        session_key=CONFIRMATION_SESSION_KEY,
        next_url=reverse("accounts:confirm"),
        invalid=lambda: _confirmation_not_found(request),
    )


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
@rate_limited("confirm", target=lambda request: request.session.get(CONFIRMATION_SESSION_KEY, ""))
def confirm(request):
    token = request.session.get(CONFIRMATION_SESSION_KEY, "")
    user = services.confirmation_user(token=token) if token else None
    if user is None:
        return _confirmation_not_found(request)
    form = ConfirmRegistrationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result, _user, tries_left = services.registration_confirm(
            token=token,
            username=data["username"],
            email=data["email"],
            password=data["password1"],
        )
        if result is services.ConfirmationResult.CONFIRMED:
            del request.session[CONFIRMATION_SESSION_KEY]
            flash.success(request, messages.CONFIRMED_GET_STARTED)
            return redirect("accounts:login")
        if result is not services.ConfirmationResult.MISMATCH:
            return _confirmation_not_found(request)
        form.add_error(
            None, ValidationError(messages.CONFIRMATION_MISMATCH, code="confirmation_mismatch")
        )
        tries = messages.CONFIRMATION_TRIES_LEFT % {"tries": tries_left}
        form.add_error(None, ValidationError(tries, code="confirmation_tries_left"))
    return _no_store(render(request, "accounts/confirm.html", {"form": form}))


@method_decorator(
    rate_limited("login", target=lambda request, *args, **kwargs: request.POST.get("username", "")),
    name="dispatch",
)
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.has_second_factor(user=user) and not user.is_staff:
            # The password is right; the session begins only after the code (login_code).
            self.request.session[TWO_STEP_SESSION_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_code")
        response = super().form_valid(form)
        _after_sign_in(self.request)
        return response

    def form_invalid(self, form):
        # An authentication backend may answer with a next step instead of a session: the
        # pre-created e-bill users' correct PIN mails a link (enrollment/precreated.py).
        next_step = getattr(self.request, "login_next_step", None)
        if next_step:
            return redirect(next_step)
        return super().form_invalid(form)

    def get_default_redirect_url(self):
        # In the language of the page they signed in on: someone signing in on /es/ stays in Spanish.
        return reverse("enrollment:accounts")


def _after_sign_in(request) -> None:
    for step in settings.SIGN_IN_STEPS:
        import_string(step)(request, request.user)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@rate_limited(
    "second_factor",
    target=lambda request: str(request.session.get(TWO_STEP_SESSION_KEY, {}).get("user", "")),
)
def login_code(request):
    """Sign-in, second step, for customers who turned two-step verification on."""
    pending = request.session.get(TWO_STEP_SESSION_KEY)
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    form = TwoStepCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.second_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            del request.session[TWO_STEP_SESSION_KEY]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            _after_sign_in(request)
            return redirect(pending["next"])
        form.add_error("code", messages.TWO_STEP_CODE_WRONG)
    return render(request, "accounts/login_code.html", {"form": form})


@login_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@rate_limited("second_factor", target=lambda request: str(request.user.pk))
def two_step(request):
    """User Profile › Two-step verification: turn it on with an authenticator app (optional)."""
    user = request.user
    enabled = second_factor.has_second_factor(user=user)
    form = TwoStepCodeForm(request.POST or None)
    context = {"form": form, "enabled": enabled, "off_form": TwoStepOffForm(user)}
    if not enabled:
        context.update(second_factor.totp_candidate(session=request.session, user=user))
        if request.method == "POST" and form.is_valid():
            code = form.cleaned_data["code"]
            enrolled = second_factor.totp_enrol_confirm(user=user, key=context["key"], token=code)
            if enrolled is not None:
                del request.session[second_factor.TOTP_CANDIDATE_SESSION_KEY]
                device, codes = enrolled
                otp_login(request, device)
                flash.success(request, messages.TWO_STEP_ON)
                return _no_store(
                    render(request, "accounts/two_step_codes.html", {"recovery_codes": codes})
                )
            form.add_error("code", messages.TWO_STEP_CODE_WRONG)
    return _no_store(render(request, "accounts/two_step.html", context))


@login_required
@require_POST
@sensitive_post_parameters("current_password")
def two_step_off(request):
    form = TwoStepOffForm(request.user, request.POST)
    if form.is_valid():
        second_factor.second_factor_disable(user=request.user)
        flash.success(request, messages.TWO_STEP_OFF)
        return redirect("accounts:profile")
    context = {
        "form": TwoStepCodeForm(),
        "enabled": True,
        "off_form": form,
    }
    return _no_store(render(request, "accounts/two_step.html", context))


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        flash.info(request, messages.LOGGED_OUT)
        return response


@require_http_methods(["GET", "POST"])
@rate_limited("password_reset", target=lambda request: request.POST.get("email", ""))
def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    return render(
        request,
        "accounts/password_reset_sent.html",
        {"notice": messages.PASSWORD_RESET_SENT % {"hours": durations.password_reset_hours()}},
    )


@method_decorator(never_cache, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    extra_context = {"link_invalid": messages.PASSWORD_RESET_LINK_INVALID}

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if kwargs.get("token") != self.reset_url_token:
            # Django moves a valid token into the session and redirects away from it; an invalid
            # link's page stays here, so it sends only the origin, never this path, onwards.
            if response.status_code in (301, 302):
                return _leaving_token_url(response)
            response["Referrer-Policy"] = "strict-origin"
        return _no_store(response)

    def form_valid(self, form):
        user = services.password_reset_complete(
            user_id=form.user.pk,
            token=self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, ""),
            password=form.cleaned_data["new_password1"],
        )
        if user is None:
            self.validlink = False
            return self.render_to_response(self.get_context_data(form=form))
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        flash.success(self.request, messages.PASSWORD_RESET_DONE)
        return redirect(self.success_url)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.profile_update(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=data["preferred_language"],
        )
        # On to the chosen language, with the message in it too: a lazy message would be rendered
        # in this request's language when the messages are stored.
        with translation.override(data["preferred_language"]):
            flash.success(request, str(messages.PROFILE_UPDATED))
            return redirect(reverse("accounts:profile"))
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "password_form": ChangePasswordForm(request.user),
            "two_step_enabled": second_factor.has_second_factor(user=request.user),
        },
    )


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Keeps this session (with a new key); every other session of the user ends.
        update_session_auth_hash(request, form.user)
        services.password_changed(user=form.user, keep_session_key=request.session.session_key)
        flash.success(request, messages.PASSWORD_CHANGED)
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": ProfileForm(instance=request.user),
            "password_form": form,
            "two_step_enabled": second_factor.has_second_factor(user=request.user),
        },
    )


EMAIL_CHANGE_SESSION_KEY = "_email_change_token"


@login_required
@sensitive_post_parameters("current_password")
@require_http_methods(["GET", "POST"])
@rate_limited("email_change", target=lambda request: request.POST.get("new_email", ""))
def email_change(request):
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            services.email_change_request(user=request.user, new_email=new_email)
        except services.EmailChangeError as error:
            form.add_error("new_email", error.message)
        else:
            flash.success(request, messages.EMAIL_CHANGE_SENT % {"email": new_email})
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@require_http_methods(["GET"])
def email_change_link(request, token):
    """The link mailed to the new address (phxpay.links.token_landing)."""
    context = {"error_text": messages.EMAIL_CHANGE_LINK_INVALID}
    return links.token_landing(
        request,
        token=token,
        valid=services.email_change_link_valid(token=token),
        session_key=EMAIL_CHANGE_SESSION_KEY,
        next_url=reverse("accounts:email_change_confirm"),
        invalid=lambda: render(request, "accounts/email_change_confirm.html", context, status=404),
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_change_confirm(request):
    token = request.session.get(EMAIL_CHANGE_SESSION_KEY, "")
    change = services.email_change_pending(user=request.user, token=token) if token else None
    if change is None:
        context = {"error_text": messages.EMAIL_CHANGE_LINK_INVALID}
        return _no_store(render(request, "accounts/email_change_confirm.html", context, status=404))
    if request.method == "POST":
        try:
            email = services.email_change_confirm(user=request.user, token=token)
        except services.EmailChangeError as error:
            context = {"error_text": error.message}
            return _no_store(
                render(request, "accounts/email_change_confirm.html", context, status=409)
            )
        del request.session[EMAIL_CHANGE_SESSION_KEY]
        flash.success(request, messages.EMAIL_CHANGED % {"email": email})
        return redirect("accounts:profile")
    return _no_store(render(request, "accounts/email_change_confirm.html", {"change": change}))


EMAIL_UNDO_SESSION_KEY = "_email_undo_token"


def _email_undo_invalid(request, text=None, status=404):
    if text is None:
        text = messages.EMAIL_UNDO_LINK_INVALID % {"days": services.EMAIL_CHANGE_UNDO_DAYS}
    return _no_store(
        render(request, "accounts/email_change_undo.html", {"error_text": text}, status=status)
    )


@require_http_methods(["GET"])
def email_change_undo_link(request, token):
    """The undo link mailed to the old address (phxpay.links.token_landing)."""
    return links.token_landing(
        request,
        token=token,
        valid=services.email_change_undo_pending(token=token) is not None,
        session_key=EMAIL_UNDO_SESSION_KEY,
        next_url=reverse("accounts:email_change_undo"),
        invalid=lambda: _email_undo_invalid(request),
    )


@require_http_methods(["GET", "POST"])
def email_change_undo(request):
    token = request.session.get(EMAIL_UNDO_SESSION_KEY, "")
    undo = services.email_change_undo_pending(token=token)
    if undo is None:
        return _email_undo_invalid(request)
    if request.method == "POST":
        try:
            user = services.email_change_undo(token=token)
        except services.EmailChangeError as error:
            return _email_undo_invalid(request, error.message, status=409)
        request.session.pop(EMAIL_UNDO_SESSION_KEY, None)
        if request.user.is_authenticated and request.user.pk == user.pk:
            logout(request)
        flash.success(request, messages.EMAIL_UNDONE % {"email": user.email})
        return redirect("accounts:login")
    return _no_store(render(request, "accounts/email_change_undo.html", {"undo": undo}))


def language_adopt_at_sign_in(request, user) -> None:
    """A sign-in step (settings.SIGN_IN_STEPS)."""
    services.preferred_language_adopt(user=user, language=translation.get_language())


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        services.preferred_language_set(user=request.user, language=language)
    return response
