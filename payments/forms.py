from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.forms import EnrollForm
from payments import messages, services
from phxpay.forms import AccessibleFormMixin


class GuestLookupForm(EnrollForm):
    """Pay without signing in: the account number with the service address's ZIP code and house
    number (the enrollment form's own fields and checks), never the PIN."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, step_up=True, **kwargs)
        del self.fields["pin"]


def parse_amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.strip().replace("$", "").replace(",", ""))
    except InvalidOperation:
        return None


class GuestPayForm(AccessibleFormMixin, forms.Form):
    amount = forms.CharField(
        label=_("Amount to pay (dollars)"),
        max_length=20,
        error_messages={"required": messages.AMOUNT_INVALID},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address for the receipt"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_amount(self):
        amount = parse_amount(self.cleaned_data["amount"])
        if amount is None:
            raise forms.ValidationError(messages.AMOUNT_INVALID, code="invalid")
        try:
            return services.amount_check(amount)
        except services.PaymentRefused as refused:
            raise forms.ValidationError(refused.message, code="amount") from None
