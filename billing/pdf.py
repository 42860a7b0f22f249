"""A bill as a PDF: the print vendor's when the CIS sent one, else the portal's own, rendered by
WeasyPrint from the same statement the bill page shows, in the customer's language, tagged as
PDF/UA so screen readers read it in order with its table headers."""

from django.template.loader import render_to_string
from django.utils import translation

from billing.models import Bill
from billing.storage import bill_files


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
