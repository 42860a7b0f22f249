import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from billing.models import Bill
from enrollment.models import BillingAccount, Enrollment
from enrollment.services import enrollments_for
from payments import messages, selectors, services
from payments.forms import GuestLookupForm, GuestPayForm, parse_amount
from payments.models import DummyCharge, Payment, Status
from payments.processors import DummyProcessor, IgnoredCallback, InvalidCallback, sign
from phxpay.ratelimit import rate_limited


@dataclass
class AccountsPart:
    """What payments adds to Account(s) (settings.ACCOUNTS_PAGE_PARTS): HTML at the start of each
    account's actions, the form the list becomes, and what follows the list. `facts` is everything
    each account's cell shows: Account(s) keeps its rendered rows under a key made of them
    (phxpay.fragments), and calls `render_cell` only for rows it renders."""

    facts: dict[int, tuple] = field(default_factory=dict)
    render_cell: Callable[[int], str] = lambda account_id: ""
    form_action: str = ""
    footer: str = ""


def _selected(request) -> set[int]:
    """Accounts ticked so far, carried from page to page of Account(s) by its page buttons."""
    try:
        return {int(value) for value in request.GET.getlist("account")}
    except ValueError:
        return set()


def accounts_part(request, enrollments: list[Enrollment]) -> AccountsPart:
    pending = selectors.pending_by_account(account_ids=[e.account_id for e in enrollments])
    selected = _selected(request)
    cells = {}
    for enrollment in enrollments:
        account, waiting = enrollment.account, pending.get(enrollment.account_id)
        cells[account.pk] = {
            "account": account,
            "pending": waiting,
            "to_pay": selectors.amount_to_pay(account=account, pending=waiting),
            "checked": account.pk in selected,
        }
    cell = get_template("payments/_account_cell.html")
    on_this_page = {enrollment.account_id for enrollment in enrollments}
    return AccountsPart(
        facts={
            account_id: (account_id, c["account"].account_number, c["pending"], c["to_pay"])
            + (c["checked"],)
            for account_id, c in cells.items()
        },
        # Without the request: a cell needs none of the context processors.
        render_cell=lambda account_id: cell.render(cells[account_id]),
        form_action=reverse("payments:pay"),
        footer=render_to_string(
            "payments/_pay_selected.html", {"elsewhere": sorted(selected - on_this_page)}
        ),
    )


def payments_section(request, enrollment: Enrollment) -> str:
    """Details' Payment history: the portal's payments and the ones the CIS posted on bills."""
    account = enrollment.account
    pending = selectors.pending_by_account(account_ids=[account.pk]).get(account.pk)
    context = {
        "account": account,
        "pending": pending,
        "to_pay": selectors.amount_to_pay(account=account, pending=pending),
        "portal": selectors.portal_payments_for(account_id=account.pk),
        "posted": list(
            Bill.objects.filter(account=account, payments_received__gt=0)
            .order_by("-bill_date")
            .only("bill_date", "payments_received", "period_start")[:24]
        ),
        "user_id": request.user.pk,  # their own payments link to the receipt
    }
    # Without the request: the section needs none of the context processors.
    return render_to_string("payments/_history_section.html", context)


def _rows(enrollments, pending, data=None):
    rows = []
    for enrollment in enrollments:
        account = enrollment.account
        to_pay = selectors.amount_to_pay(account=account, pending=pending.get(account.pk))
        name = f"amount_{account.pk}"
        rows.append(
            {
                "enrollment": enrollment,
                "account": account,
                "pending": pending.get(account.pk),
                "field": name,
                "value": data.get(name, "") if data is not None else f"{to_pay:.2f}",
                "error": None,
            }
        )
    return rows


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pay(request):
    """The accounts chosen on Account(s), amounts pre-filled; Continue goes to the processor."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        chosen = {int(value) for value in source.getlist("account")}
    except ValueError:
        chosen = set()
    mine = {e.account_id: e for e in enrollments_for(user=request.user)}
    enrollments = [mine[account_id] for account_id in sorted(chosen) if account_id in mine]
    if request.method == "POST" and len(enrollments) != len(chosen):
        flash.error(request, messages.ACCOUNT_NOT_YOURS)
        return redirect("enrollment:accounts")
    if not enrollments:
        flash.error(request, messages.NO_ACCOUNT_CHOSEN)
        return redirect("enrollment:accounts")
    pending = selectors.pending_by_account(account_ids=[e.account_id for e in enrollments])
    rows = _rows(enrollments, pending, request.POST if request.method == "POST" else None)
    errors = []
    if request.method == "POST":
        amounts = {}
        for row in rows:
            amount = parse_amount(row["value"])
            try:
                if amount is None:
                    raise services.PaymentRefused(messages.AMOUNT_INVALID)
                amounts[row["account"].pk] = services.amount_check(amount)
            except services.PaymentRefused as refused:
                row["error"] = refused.message
                errors.append((row["field"], refused.message))
        try:
            key = uuid.UUID(request.POST.get("key", ""))
        except ValueError:
            key = None
        if not errors and key is not None:
            payment, created = services.payment_start(
                user=request.user,
                accounts=[e.account for e in enrollments],
                amounts=amounts,
                receipt_email=request.user.email,
                language=get_language(),
                idempotency_key=key,
            )
            if not created:
                flash.info(request, messages.PAYMENT_FORM_USED)
                return redirect("payments:receipt", payment.confirmation_number)
            return_url = reverse("payments:receipt", args=[payment.confirmation_number])
            return redirect(services.payment_checkout(payment=payment, return_url=return_url))
    total = sum((parse_amount(row["value"]) or Decimal("0") for row in rows), Decimal("0"))
    context = {
        "rows": rows,
        "errors": errors,
        "total": total if total.is_finite() else Decimal("0"),
        "key": request.POST.get("key") if request.method == "POST" else uuid.uuid4(),
        "maximum": settings.PAYMENT_MAX_PER_ACCOUNT,
    }
    return render(request, "payments/pay.html", context, status=400 if errors else 200)


GUEST_ACCOUNT = "guest_pay_account"
GUEST_PAYMENTS = "guest_pay_receipts"


@never_cache
def receipt(request, confirmation_number: str):
    """The payer's own receipt: a signed-in user's payment, or one this browser made as a guest."""
    if request.user.is_authenticated:
        payment = selectors.payment_for(user=request.user, confirmation_number=confirmation_number)
    elif confirmation_number in request.session.get(GUEST_PAYMENTS, []):
        payment = selectors.payment_for(user=None, confirmation_number=confirmation_number)
    else:
        return redirect_to_login(request.get_full_path())
    if payment is None:
        raise Http404
    return render(request, "payments/receipt.html", _receipt_context(payment))


def _receipt_context(payment: Payment) -> dict:
    outcome = {
        Status.APPROVED: ("success", messages.APPROVED),
        Status.DECLINED: ("error", messages.DECLINED),
        Status.ABANDONED: ("warning", messages.ABANDONED),
        Status.REFUNDED: ("info", messages.REFUNDED),
    }.get(payment.status, ("info", messages.PENDING))
    return {
        "payment": payment,
        "lines": list(payment.lines.all()),
        "alert": outcome[0],
        "outcome": outcome[1],
        "try_again": payment.status in (Status.DECLINED, Status.ABANDONED),
    }


@csrf_exempt
@require_POST
def callback(request):
    """The processor's signed callback: 200 once applied (or replayed), 400 if it does not verify,
    422 for a reference no payment has."""
    try:
        payment = services.payment_callback_receive(body=request.body, headers=request.headers)
    except InvalidCallback:
        return HttpResponseBadRequest("invalid callback")
    except IgnoredCallback:
        return HttpResponse("ignored")
    if payment is None:
        # Not 404: the language middleware would answer a redirect to /en/… instead.
        return HttpResponse("unknown payment", status=422)
    return HttpResponse("ok")


# --- pay without signing in --------------------------------------------------------------------


def _guest_account_number(request) -> str:
    from enrollment.services import normalize_account_number

    return normalize_account_number(request.POST.get("account_number", ""))


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("guest_pay", target=lambda request: _guest_account_number(request))
def guest_start(request):
    """Like the City's payment site: the account number, ZIP code and house number find the
    account; every non-match gets the same answer, and the tries are limited like enrollment's."""
    form = GuestLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.guest_account_match(
            account_number=form.cleaned_data["account_number"],
            service_zip=form.cleaned_data["service_zip"],
            house_number=form.cleaned_data["house_number"],
        )
        if account is not None:
            request.session[GUEST_ACCOUNT] = account.pk
            return redirect("payments:guest_pay")
        form.add_error(None, messages.GUEST_NO_MATCH)
    return render(
        request, "payments/guest_start.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@require_http_methods(["GET", "POST"])
def guest_pay(request):
    """The matched account's amount due and last 4 digits only: no name, no address."""
    account = BillingAccount.objects.filter(pk=request.session.get(GUEST_ACCOUNT)).first()
    if account is None:
        return redirect("payments:guest_start")
    pending = selectors.pending_by_account(account_ids=[account.pk]).get(account.pk)
    to_pay = selectors.amount_to_pay(account=account, pending=pending)
    initial = {"amount": f"{to_pay:.2f}" if to_pay > 0 else "", "key": uuid.uuid4()}
    form = GuestPayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        payment, created = services.payment_start(
            user=None,
            accounts=[account],
            amounts={account.pk: form.cleaned_data["amount"]},
            receipt_email=form.cleaned_data["email"],
            language=get_language(),
            idempotency_key=form.cleaned_data["key"],
        )
        receipts = request.session.get(GUEST_PAYMENTS, [])
        if payment.confirmation_number not in receipts:
            request.session[GUEST_PAYMENTS] = [*receipts, payment.confirmation_number][-10:]
        if not created:
            flash.info(request, messages.PAYMENT_FORM_USED)
            return redirect("payments:receipt", payment.confirmation_number)
        return_url = reverse("payments:receipt", args=[payment.confirmation_number])
        return redirect(services.payment_checkout(payment=payment, return_url=return_url))
    context = {"form": form, "account": account, "to_pay": to_pay, "pending": pending}
    return render(request, "payments/guest_pay.html", context, status=400 if form.errors else 200)


# --- the test processor ------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("card_number")
@require_http_methods(["GET", "POST"])
def dummy_checkout(request, reference: str):
    """The stand-in for a processor's hosted page (PAYMENT_PROVIDER=dummy only). Its card number
    field shows that the portal keeps none: the value is read by nothing and stored nowhere."""
    if DummyProcessor.name != settings.PAYMENT_PROVIDER:
        raise Http404
    charge = DummyCharge.objects.filter(reference=reference).first()
    payment = Payment.objects.filter(processor_reference=reference).first()
    if charge is None or payment is None:
        raise Http404
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        outcome = {
            "approve": Status.APPROVED,
            "decline": Status.DECLINED,
            "cancel": Status.ABANDONED,
            "approve_silently": Status.APPROVED,
        }.get(decision)
        if outcome is None or charge.status != Status.PENDING:
            return HttpResponseBadRequest("no such decision")
        DummyCharge.objects.filter(pk=charge.pk).update(status=outcome)
        if decision != "approve_silently":  # "silently": the callback is lost; reconcile finds it
            body = DummyProcessor.callback_body(reference=reference, status=outcome)
            services.payment_callback_receive(
                body=body, headers={DummyProcessor.SIGNATURE_HEADER: sign(body)}
            )
        return redirect("payments:receipt", payment.confirmation_number)
    return render(request, "payments/dummy_checkout.html", {"charge": charge, "payment": payment})
