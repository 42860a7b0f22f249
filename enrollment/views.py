from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import NewPasswordForm
from enrollment import messages, precreated, selectors, services
from enrollment.forms import AccountSettingsForm, EnrollForm, InviteForm
from enrollment.models import Enrollment, Invitation
from phxpay import durations, formatting, links
from phxpay.fragments import fragment_key, kept_or_rendered
from phxpay.ratelimit import client_ip, rate_limited


def _when(value) -> str:
    return formatting.moment(value)


def _user_enrollment(request, account_id) -> Enrollment:
    return selectors.enrollment_of(user=request.user, account_id=account_id)


def _holder_enrollment(request, account_id) -> Enrollment:
    enrollment = _user_enrollment(request, account_id)
    if not enrollment.is_holder:
        raise PermissionDenied(messages.HOLDER_ONLY)
    return enrollment


def invitations_accept_at_sign_in(request, user) -> None:
    """A sign-in step (settings.SIGN_IN_STEPS): accounts shared with this user's email address join
    their list, as the guide says, "la próxima vez que Inicie Sesión"."""
    accepted = services.invitations_accept_for(user=user)
    if accepted:
        numbers = ", ".join(invitation.account.account_number for invitation in accepted)
        flash.info(request, messages.SHARED_ACCOUNTS_ADDED % {"accounts": numbers})


@login_required
def accounts(request):
    listing = selectors.account_list(
        user=request.user, query=request.GET.get("q", ""), page=request.GET.get("page", 1)
    )
    enrollments = listing.enrollments
    # What the apps built on enrollment add to the list (settings.ACCOUNTS_PAGE_PARTS): Pay.
    parts = [import_string(part)(request, enrollments) for part in settings.ACCOUNTS_PAGE_PARTS]
    # The rows grow with the accounts (a landlord has 50 a page): kept rendered under a key of
    # everything they show, today's date included ("Past due"), so a change is a new key.
    facts = (
        timezone.localdate(),
        [_row_facts(enrollment) for enrollment in enrollments],
        [[part.facts.get(e.account_id) for e in enrollments] for part in parts],
    )

    def render_rows() -> str:
        rows = [
            (enrollment, [part.render_cell(enrollment.account_id) for part in parts])
            for enrollment in enrollments
        ]
        return render_to_string("enrollment/_account_rows.html", {"rows": rows})

    form_action = next((part.form_action for part in parts if part.form_action), "")
    context = {
        "listing": listing,
        "enrollments": enrollments,
        "rows_html": kept_or_rendered(fragment_key("account-rows", facts), render_rows),
        "parts": parts,
        "form_action": form_action,
        # Labelled here, not by a translate tag per button: a landlord's list has 20 pages.
        "page_numbers": [
            (number, messages.PAGE_NUMBER % {"number": number})
            for number in range(1, listing.pages + 1)
        ]
        if listing.pages > 1
        else [],
    }
    return render(request, "enrollment/accounts.html", context)


def _row_facts(enrollment: Enrollment) -> tuple:
    account = enrollment.account
    inviter = enrollment.invitation.invited_by.get_full_name() if enrollment.invitation_id else ""
    return (
        enrollment.pk,
        enrollment.role,
        enrollment.nickname,
        enrollment.invitation_id,
        inviter,
        account.pk,
        account.account_number,
        account.service_address,
        account.balance,
        account.due_date,
    )


@login_required
@sensitive_post_parameters("pin")
@require_http_methods(["GET", "POST"])
@rate_limited(
    "enroll",
    target=lambda request: services.normalize_account_number(
        request.POST.get("account_number", "")
    ),
)
def enroll(request):
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.enrollment_create(
            user=request.user,
            account_number=form.cleaned_data["account_number"],
            pin=form.cleaned_data["pin"],
            ip=client_ip(request),
            service_zip=form.cleaned_data.get("service_zip", ""),
            house_number=form.cleaned_data.get("house_number", ""),
        )
        outcome = services.EnrollmentOutcome
        if result.outcome is outcome.ENROLLED:
            flash.success(request, messages.ENROLLED % {"account": result.account.account_number})
            return redirect("enrollment:accounts")
        if result.outcome is outcome.ALREADY_ENROLLED:
            flash.info(
                request, messages.ALREADY_ENROLLED % {"account": result.account.account_number}
            )
            return redirect("enrollment:accounts")
        if result.outcome is outcome.NO_MATCH:
            form.add_error(None, ValidationError(messages.NO_MATCH, code="pin_no_match"))
            if result.tries_left is not None:
                minutes = int(result.pause.total_seconds() // 60)
                tries = messages.PIN_TRIES_LEFT % {"tries": result.tries_left, "minutes": minutes}
                form.add_error(None, ValidationError(tries, code="pin_tries_left"))
        elif result.outcome is outcome.STEP_UP_REQUIRED:
            form = EnrollForm(
                initial={"account_number": form.cleaned_data["account_number"]}, step_up=True
            )
            flash_step_up = messages.STEP_UP_REQUIRED
            return render(
                request, "enrollment/enroll.html", {"form": form, "step_up_note": flash_step_up}
            )
        elif result.outcome is outcome.ACCOUNT_LOCKED:
            locked = messages.ACCOUNT_LOCKED % {"until": _when(result.until)}
            form.add_error(None, ValidationError(locked, code="pin_locked"))
        elif result.outcome is outcome.NETWORK_BLOCKED:
            blocked = messages.NETWORK_BLOCKED % {"until": _when(result.until)}
            form.add_error(None, ValidationError(blocked, code="pin_network_blocked"))
        else:
            blocked = messages.USER_BLOCKED % {"until": _when(result.until)}
            form.add_error(None, ValidationError(blocked, code="pin_user_blocked"))
    return render(request, "enrollment/enroll.html", {"form": form})


def _pick(request, target: str):
    """Details / Account Settings from the menu: the first account, or the Account(s) page."""
    first = services.enrollments_for(user=request.user).values_list("account_id", flat=True).first()
    if first is None:
        return redirect("enrollment:accounts")
    return redirect(target, account_id=first)


@login_required
def details_first(request):
    return _pick(request, "enrollment:details")


@login_required
def settings_first(request):
    return _pick(request, "enrollment:settings")


@login_required
def details(request, account_id):
    enrollment = _user_enrollment(request, account_id)
    context = {
        "enrollment": enrollment,
        "account": enrollment.account,
        # What the apps built on enrollment add (settings.ACCOUNT_DETAILS_SECTIONS): bills, payments.
        "sections": [
            import_string(section)(request, enrollment)
            for section in settings.ACCOUNT_DETAILS_SECTIONS
        ],
        "choices": selectors.account_choices(user=request.user),
        "selector_target": "enrollment:details",
    }
    return render(request, "enrollment/details.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request, account_id):
    enrollment = _user_enrollment(request, account_id)
    account = enrollment.account
    initial = {
        "nickname": enrollment.nickname,
        "paperless": account.paperless,
        "ebill_email": account.ebill_email,
        "bill_ready_email": enrollment.bill_ready_email,
        "due_reminder_days": enrollment.due_reminder_days,
    }
    form = AccountSettingsForm(
        request.POST or None,
        initial=initial,
        can_change_account=enrollment.can_change_settings,
        can_change_email=enrollment.is_holder,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_settings_update(
                enrollment=enrollment,
                nickname=form.cleaned_data["nickname"],
                paperless=form.cleaned_data["paperless"],
                ebill_email=form.cleaned_data["ebill_email"],
                bill_ready_email=form.cleaned_data["bill_ready_email"],
                due_reminder_days=form.cleaned_data["due_reminder_days"],
            )
        except services.SettingsError as error:
            form.add_error("ebill_email", error.message)
        else:
            flash.success(request, messages.SETTINGS_SAVED)
            return redirect("enrollment:settings", account_id=account.pk)
    context = {
        "form": form,
        "enrollment": enrollment,
        "account": account,
        "choices": selectors.account_choices(user=request.user),
        "selector_target": "enrollment:settings",
        "view_only_note": None if enrollment.can_change_settings else messages.VIEW_ONLY,
    }
    return render(request, "enrollment/settings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request, account_id):
    enrollment = _user_enrollment(request, account_id)
    if request.method == "POST":
        number = enrollment.account.account_number
        services.enrollment_remove(enrollment=enrollment)
        flash.success(request, messages.REMOVED % {"account": number})
        return redirect("enrollment:accounts")
    return render(
        request, "enrollment/remove.html", {"enrollment": enrollment, "account": enrollment.account}
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("invite", target=lambda request, account_id: request.POST.get("email", ""))
def invite(request, account_id):
    holder = _holder_enrollment(request, account_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            outcome, _invitation = services.invitation_create(
                holder=holder, email=email, role=form.cleaned_data["role"]
            )
        except services.InvitationError as error:
            form.add_error("email", error.message)
        else:
            text = (
                messages.INVITE_SENT
                if outcome is services.InvitationOutcome.SENT
                else messages.INVITE_RESENT
            )
            flash.success(request, text % {"email": email})
            return redirect("enrollment:invite", account_id=account_id)
    invitations = list(
        Invitation.objects.filter(account_id=holder.account_id).select_related("accepted_by")
    )
    context = {
        "form": form,
        "account": holder.account,
        "enrollment": holder,
        "invitations": invitations,
    }
    return render(request, "enrollment/invite.html", context)


def _holder_invitation(request, account_id, invitation_id) -> Invitation:
    holder = _holder_enrollment(request, account_id)
    return get_object_or_404(Invitation, pk=invitation_id, account_id=holder.account_id)


@login_required
@require_POST
def invitation_resend(request, account_id, invitation_id):
    invitation = _holder_invitation(request, account_id, invitation_id)
    try:
        services.invitation_resend(invitation=invitation)
    except services.InvitationError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, messages.INVITE_RESENT % {"email": invitation.email})
    return redirect("enrollment:invite", account_id=account_id)


@login_required
@require_POST
def invitation_revoke(request, account_id, invitation_id):
    invitation = _holder_invitation(request, account_id, invitation_id)
    services.invitation_revoke(invitation=invitation, by=request.user)
    flash.success(request, messages.INVITE_REVOKED % {"email": invitation.email})
    return redirect("enrollment:invite", account_id=account_id)


# Pre-created e-bill users' first sign-in (enrollment/precreated.py) -------------------------------

FIRST_SIGNIN_SESSION_KEY = "_first_signin_token"


def _first_signin_invalid(request):
    response = render(
        request,
        "enrollment/first_signin_invalid.html",
        {"error_text": messages.FIRST_SIGNIN_LINK_INVALID},
        status=404,
    )
    response["Cache-Control"] = "no-store"
    return response


def first_signin_sent(request):
    hours = durations.confirmation_link_hours()
    return render(
        request,
        "enrollment/first_signin_sent.html",
        {"notice": messages.FIRST_SIGNIN_LINK_SENT % {"hours": hours}},
    )


@require_http_methods(["GET"])
def first_signin_link(request, token):
    """The link mailed to a pre-created user's e-bill address (phxpay.links.token_landing)."""
    return links.token_landing(
        request,
        token=token,
        valid=precreated.first_signin_user(token=token) is not None,
        session_key=FIRST_SIGNIN_SESSION_KEY,
        next_url=reverse("enrollment:first_signin_password"),
        invalid=lambda: _first_signin_invalid(request),
    )


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def first_signin_password(request):
    token = request.session.get(FIRST_SIGNIN_SESSION_KEY, "")
    user = precreated.first_signin_user(token=token)
    if user is None:
        return _first_signin_invalid(request)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = precreated.first_signin_complete(
            token=token, password=form.cleaned_data["new_password1"]
        )
        if user is None:
            return _first_signin_invalid(request)
        del request.session[FIRST_SIGNIN_SESSION_KEY]
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        invitations_accept_at_sign_in(request, user)
        flash.success(request, messages.FIRST_SIGNIN_DONE)
        return redirect("enrollment:accounts")
    # Not "user": templates read that as the signed-in visitor, and nobody is signed in yet.
    context = {"form": form, "signing_in": user}
    response = render(request, "enrollment/first_signin_password.html", context)
    response["Cache-Control"] = "no-store"
    return response
