"""A bill as a PDF: the print vendor's when the CIS sent one, else the portal's own, rendered by
WeasyPrint from the same statement the bill page shows, in the customer's language, tagged as
PDF/UA so screen readers read it in order with its table headers."""

import hashlib

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation

from billing.importer import BILL_FIELDS
from billing.models import Bill
from billing.storage import bill_files

# Part of every rendered file's name: bump it when the statement's template or style changes, and
# the next request renders each bill again.
RENDER_VERSION = 1


def _no_fetching(url: str, *args, **kwargs):
    # The statement is self-contained: a URL in the data must never make the server fetch it.
    raise ValueError(f"external resource refused: {url}")


def vendor_pdf(*, bill: Bill):
    """The vendor's file, open for reading, or None (no file, or it is missing from storage)."""
    if not bill.vendor_pdf:
        return None
    storage = bill_files()
    try:
        return storage.open(bill.vendor_pdf, "rb")
    except (FileNotFoundError, OSError):
        return None


def statement_pdf(*, context: dict, language: str) -> bytes:
    # Imported here: WeasyPrint takes a second to load, which no other page or command should pay.
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("billing/statement_pdf.html", context)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True
    )


def _rendered_name(*, context: dict, language: str) -> str:
    """A name that changes whenever what the PDF shows could: the bill's amounts and lines, the
    account's printed facts, the language and the renderer's version."""
    bill, account = context["bill"], context["account"]
    facts = [
        RENDER_VERSION,
        language,
        account.account_number,
        account.holder_name,
        account.service_address,
        *(getattr(bill, name) for name in ("bill_date", *BILL_FIELDS)),
        *((line.service, line.description, line.amount) for line in context["lines"]),
        context["year_earlier"].water_usage_units if context["year_earlier"] else None,
    ]
    digest = hashlib.sha256(repr(facts).encode()).hexdigest()[:16]
    return f"rendered/{bill.pk}/{language}-{digest}.pdf"


def statement_pdf_file(*, context: dict, language: str):
    """The portal's PDF of the statement, rendered once per bill, content and language and kept in
    the bill storage; later requests stream the kept file."""
    storage = bill_files()
    name = _rendered_name(context=context, language=language)
    if not storage.exists(name):
        storage.save(name, ContentFile(statement_pdf(context=context, language=language)))
    return storage.open(name, "rb")
