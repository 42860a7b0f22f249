import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_stable_email
from enrollment import messages
from enrollment.models import ReminderDays
from enrollment.services import normalize_account_number
from phxpay.forms import AccessibleFormMixin

# Added after AccessibleFormMixin styled the others, so they carry its class themselves.
STEP_UP_INPUT = {
    "class": "usa-input",
    "inputmode": "numeric",
    "autocomplete": "off",
    "spellcheck": "false",
}


class EnrollForm(AccessibleFormMixin, forms.Form):
    account_number = forms.CharField(
        label=_("Account Number"),
        max_length=20,
        help_text=_("The 10-digit number on your City Services bill."),
        error_messages={"required": messages.ACCOUNT_NUMBER_FORMAT},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    pin = forms.CharField(
        label=_("Security PIN"),
        max_length=4,
        strip=True,
        help_text=_("The 4-digit security PIN of the main account holder."),
        error_messages={"required": messages.PIN_FORMAT, "max_length": messages.PIN_FORMAT},
        # Masked like a password; "off" so browsers do not offer to save it as the site password.
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_account_number(self):
        number = normalize_account_number(self.cleaned_data["account_number"])
        # [0-9], not \d: other scripts' digits ("١٢٣٤") are not account numbers.
        if not re.fullmatch(r"[0-9]{10}", number):
            raise forms.ValidationError(messages.ACCOUNT_NUMBER_FORMAT, code="format")
        return number

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        if not re.fullmatch(r"[0-9]{4}", pin):
            raise forms.ValidationError(messages.PIN_FORMAT, code="format")
        return pin

    def __init__(self, *args, step_up: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if step_up or (self.data and ("service_zip" in self.data or "house_number" in self.data)):
            self.fields["service_zip"] = forms.CharField(
                label=_("ZIP code of the service address"),
                max_length=10,
                error_messages={"required": messages.SERVICE_ZIP_FORMAT},
                widget=forms.TextInput(attrs=STEP_UP_INPUT),
            )
            self.fields["house_number"] = forms.CharField(
                label=_("House number of the service address"),
                max_length=10,
                help_text=_("The number at the start of the service address on your bill."),
                error_messages={"required": messages.HOUSE_NUMBER_FORMAT},
                widget=forms.TextInput(attrs=STEP_UP_INPUT),
            )

    @property
    def step_up(self) -> bool:
        return "service_zip" in self.fields

    def clean_service_zip(self):
        value = self.cleaned_data["service_zip"].replace(" ", "")
        if not re.fullmatch(r"[0-9]{5}(-[0-9]{4})?", value):
            raise forms.ValidationError(messages.SERVICE_ZIP_FORMAT, code="format")
        return value[:5]

    def clean_house_number(self):
        value = self.cleaned_data["house_number"].strip()
        if not re.fullmatch(r"[0-9]{1,10}", value):
            raise forms.ValidationError(messages.HOUSE_NUMBER_FORMAT, code="format")
        return value.lstrip("0") or "0"


class AccountSettingsForm(AccessibleFormMixin, forms.Form):
    nickname = forms.CharField(
        label=_("Nickname"),
        max_length=60,
        required=False,
        help_text=_(
            "A name for this account in your list, for example “Home” or “Rental on 5th St”."
        ),
    )
    paperless = forms.BooleanField(
        label=_("Paperless billing: email my bill instead of mailing it"), required=False
    )
    ebill_email = forms.EmailField(
        label=_("Billing email on file"),
        max_length=254,
        validators=[validate_stable_email],
        required=False,
        help_text=_(
            "Where electronic bills and account notices are sent. Having your email on file lets "
            "customer service help you."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    bill_ready_email = forms.BooleanField(
        label=_("Email me when a new bill is ready"),
        required=False,
        help_text=_("Sent to the email address of your User Profile, for this account."),
    )
    due_reminder_days = forms.TypedChoiceField(
        label=_("Due date reminder"),
        choices=ReminderDays.choices,
        coerce=int,
        required=False,
        empty_value=ReminderDays.OFF,
        initial=ReminderDays.OFF,
        help_text=_("An email before the due date while the account owes money."),
    )

    def __init__(self, *args, can_change_account: bool, can_change_email: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_change_account:
            self.fields["paperless"].disabled = True
        if not can_change_email:
            self.fields["ebill_email"].disabled = True
            self.fields["ebill_email"].help_text = messages.BILLING_EMAIL_HOLDER_ONLY

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("paperless") and not cleaned.get("ebill_email"):
            self.add_error("ebill_email", _("Paperless billing needs a billing email address."))
        return cleaned


class InviteForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email Address"),
        max_length=254,
        validators=[validate_stable_email],
        help_text=_("The email address the person registered (or will register) with."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label=_("Access level"),
        choices=[
            ("view", _("View only: sees Details")),
            ("manage", _("Manage: also changes Account Settings (cannot invite or remove others)")),
        ],
        initial="view",
        widget=forms.RadioSelect,
    )
