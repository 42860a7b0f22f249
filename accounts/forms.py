from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts import messages, services
from accounts.models import User
from accounts.validators import (
    NAME_INVALID,
    NAME_MAX_LENGTH,
    registration_username_validator,
    validate_person_name,
    validate_stable_email,
)
from phxpay.forms import AccessibleFormMixin

USERNAME_HELP = _(
    "4 to 32 characters: letters, digits and @ . + - _ only. Case-sensitive: make note of your User "
    "Name for later."
)
EMAIL_HELP = _(
    "Case-sensitive: you will enter it exactly the same way to confirm your registration."
)


def _new_password_help():
    return _(
        "At least %(min_length)d characters. A long phrase you can remember is best; very common "
        "passwords are not accepted."
    ) % {"min_length": settings.PASSWORD_MIN_LENGTH}


def _text(label, autocomplete, *, max_length=150, input_type="text", help_text=""):
    attrs = {"autocomplete": autocomplete, "spellcheck": "false", "autocapitalize": "none"}
    if input_type == "email":
        widget = forms.EmailInput(attrs=attrs)
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, max_length=max_length, widget=widget, help_text=help_text)


def _new_password(label):
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RegistrationForm(AccessibleFormMixin, forms.Form):
    """Step 1 of the seed's two-step registration."""

    username = forms.CharField(
        label=_("User Name"),
        min_length=4,
        max_length=32,
        validators=[registration_username_validator],
        help_text=USERNAME_HELP,
        error_messages={
            "min_length": messages.USERNAME_LENGTH,
            "max_length": messages.USERNAME_LENGTH,
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    first_name = forms.CharField(
        label=_("First Name"),
        max_length=NAME_MAX_LENGTH,
        validators=[validate_person_name],
        error_messages={"max_length": NAME_INVALID},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last Name"),
        max_length=NAME_MAX_LENGTH,
        validators=[validate_person_name],
        error_messages={"max_length": NAME_INVALID},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email Address"),
        max_length=254,
        validators=[validate_stable_email],
        help_text=EMAIL_HELP,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    confirm_email = forms.EmailField(
        label=_("Confirm Email Address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        email, confirm = cleaned.get("email"), cleaned.get("confirm_email")
        if email and confirm and email != confirm:
            self.add_error("confirm_email", messages.EMAILS_DO_NOT_MATCH)
        # Every problem at once: the User Name and Email Address are checked even when another
        # field is wrong (registration_start checks them again, authoritatively).
        if self.errors:
            problems = services.registration_problems(
                username=cleaned.get("username"), email=cleaned.get("email")
            )
            for problem in problems:
                self.add_error(problem.field, ValidationError(problem.message, code=problem.code))
        return cleaned

    @property
    def email_in_use(self) -> bool:
        """The summary then lays out the seed's guidance for e-bill and new customers."""
        return any(error.code == "email_in_use" for error in self.errors.as_data().get("email", []))


class ConfirmRegistrationForm(AccessibleFormMixin, forms.Form):
    """Step 2, at the emailed link: User Name and Email exactly as registered, and a password."""

    username = _text(_("User Name"), "username", max_length=254)
    email = _text(_("Email Address"), "email", max_length=254, input_type="email")
    password1 = _new_password(_("Password"))
    password2 = _new_password(_("Confirm Password"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password1"].help_text = _new_password_help()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", messages.PASSWORDS_DO_NOT_MATCH)
        elif password1:
            try:
                password_validation.validate_password(password1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AccessibleFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        # One message for every failure: never reveal whether the User Name exists.
        "invalid_login": messages.LOGIN_FAILED,
        "inactive": messages.LOGIN_FAILED,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User Name")
        self.fields["username"].validators.append(MaxLengthValidator(254))
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class PasswordResetRequestForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email Address"),
        max_length=254,
        validators=[validate_stable_email],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class NewPasswordForm(AccessibleFormMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New Password")
        self.fields["new_password1"].help_text = _new_password_help()
        self.fields["new_password2"].label = _("Confirm New Password")
        self.fields["new_password2"].help_text = ""
        self.error_messages["password_mismatch"] = messages.PASSWORDS_DO_NOT_MATCH


class ChangePasswordForm(AccessibleFormMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django autofocuses the current password; on User Profile this form is the second one, so a
        # phone would open the page scrolled past its heading and the profile form above.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].label = _("Current Password")
        self.fields["new_password1"].label = _("New Password")
        self.fields["new_password1"].help_text = _new_password_help()
        self.fields["new_password2"].label = _("Confirm New Password")
        self.fields["new_password2"].help_text = ""
        self.error_messages["password_mismatch"] = messages.PASSWORDS_DO_NOT_MATCH
        self.error_messages["password_incorrect"] = messages.CURRENT_PASSWORD_WRONG


class ProfileForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "preferred_language"]
        labels = {
            "first_name": _("First Name"),
            "last_name": _("Last Name"),
            "preferred_language": _("Preferred language"),
        }
        help_texts = {
            "preferred_language": _("Emails from PHX Pay Online are sent in this language."),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            field = self.fields[name]
            field.required = True
            field.max_length = NAME_MAX_LENGTH
            field.widget.attrs["maxlength"] = str(NAME_MAX_LENGTH)
            field.validators = [validate_person_name]


class EmailChangeForm(AccessibleFormMixin, forms.Form):
    new_email = forms.EmailField(
        label=_("New Email Address"),
        max_length=254,
        validators=[validate_stable_email],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    current_password = forms.CharField(
        label=_("Current Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is not correct."))
        return password


class TwoStepCodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class TwoStepOffForm(AccessibleFormMixin, forms.Form):
    """Turning the second factor off needs the password: a borrowed session must not remove it."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(messages.CURRENT_PASSWORD_WRONG, code="password_incorrect")
        return password
