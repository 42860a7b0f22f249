import csv

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing import charts, pdf, selectors
from enrollment.models import Enrollment
from enrollment.selectors import enrollment_of
from phxpay.fragments import fragment_key, kept_or_rendered


def bills_section(request, enrollment: Enrollment) -> str:
    """Details' bills part (settings.ACCOUNT_DETAILS_SECTIONS): the latest bill, water use over
    24 months with its table, and the bill history."""
    bills = selectors.account_bills(account=enrollment.account)
    # Everything this part shows comes from these bills, which change only when the CIS extract
    # is loaded: keyed by their content and the language, a kept copy can never show old money.
    return kept_or_rendered(
        _section_key(enrollment.account_id, bills), lambda: _render(enrollment.account, bills)
    )


def _render(account, bills: selectors.AccountBills) -> str:
    summary = charts.usage_summary(points=bills.usage)
    svg = charts.usage_chart_svg(
        points=bills.usage,
        title=_("Water use per bill period, in units of 748 gallons"),
        description=summary,
    )
    context = {
        "account": account,
        "bills": bills,
        "usage_svg": mark_safe(svg),  # noqa: S308 (built by billing.charts, every text escaped)
        "usage_summary": summary,
    }
    return render_to_string("billing/_bills_section.html", context)


def _section_key(account_id: int, bills: selectors.AccountBills) -> str:
    facts = [
        (
            bill.pk,
            bill.bill_date,
            bill.due_date,
            bill.amount_due,
            bill.new_charges,
            bill.water_usage_units,
            bill.period_start,
            bill.period_end,
        )
        for bill in bills.history
    ] + [(point.period_end, point.units, point.last_year_units) for point in bills.usage]
    return fragment_key(f"bills-section:{account_id}", facts)


@login_required
@require_GET
def bill_page(request, account_id: int, bill_id: int):
    _enrollment, bill = selectors.bill_of(user=request.user, account_id=account_id, bill_id=bill_id)
    return render(request, "billing/bill.html", selectors.statement(bill=bill))


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache (proxy, CDN) may keep it, nor the browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@never_cache
def bill_pdf(request, account_id: int, bill_id: int):
    _enrollment, bill = selectors.bill_of(user=request.user, account_id=account_id, bill_id=bill_id)
    filename = f"phx-bill-{bill.account.last4}-{bill.bill_date:%Y-%m-%d}.pdf"
    kept = pdf.vendor_pdf(bill=bill) or pdf.statement_pdf_file(
        context=selectors.statement(bill=bill), language=request.LANGUAGE_CODE
    )
    return _attachment(FileResponse(kept, content_type="application/pdf"), filename)


@login_required
@require_GET
@never_cache
def bills_csv(request, account_id: int):
    """The bill history as a spreadsheet: headers in the customer's language, ISO dates and plain
    decimals so any spreadsheet reads the values as dates and numbers."""
    enrollment = enrollment_of(user=request.user, account_id=account_id)
    bills = selectors.account_bills(account=enrollment.account).history
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # Excel reads UTF-8 (the Spanish headers) only with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Bill date"),
            _("Period start"),
            _("Period end"),
            _("New charges"),
            _("Amount due"),
            _("Due date"),
            _("Water use (units of 748 gallons)"),
        ]
    )
    for bill in bills:
        writer.writerow(
            [
                bill.bill_date.isoformat(),
                bill.period_start.isoformat(),
                bill.period_end.isoformat(),
                bill.new_charges,
                bill.amount_due,
                bill.due_date.isoformat(),
                bill.water_usage_units,
            ]
        )
    return _attachment(response, f"phx-bills-{enrollment.account.last4}.csv")
