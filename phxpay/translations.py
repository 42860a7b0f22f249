"""Other packages' messages that our Spanish catalogue translates, so `make messages` keeps them.

Django, django-axes and django-tasks bring their own catalogues: Django's Spanish says "contraseña"
where the City's guide says "clave" and "Introduzca" where it says "Ingrese", and axes and
django-tasks ship no Spanish at all, so the Spanish admin showed their models in English. A msgid in
locale/es/LC_MESSAGES/django.po wins over the packages' (LOCALE_PATHS comes first), but
`makemessages --no-obsolete` drops every msgid it does not find in our own sources. Listing the
msgids here, exactly as the packages spell them, keeps them in our catalogue: gettext_noop for plain
messages, the lazy plural and context forms where the package asks with ngettext or pgettext (a plain
msgid would not match those). Nothing reads these tuples at run time; tests/test_spanish.py checks
that the Spanish is used. After upgrading Django, django-axes or django-tasks, compare these msgids
with the packages' sources.

The two AppConfig subclasses at the end exist for the same reason: axes and django_tasks_db name
their app in English without gettext, and no catalogue entry can change that. INSTALLED_APPS names
these classes instead of the packages' own.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy
from django_tasks_db.apps import TasksAppConfig

# Django's form fields and validators, on the portal's own forms.
DJANGO_FORMS = (
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid value."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ),
)

# django.contrib.auth.password_validation (settings.AUTH_PASSWORD_VALIDATORS), with the field names
# UserAttributeSimilarityValidator puts into its message.
DJANGO_PASSWORD_VALIDATORS = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("first name"),
    gettext_noop("last name"),
)

# django.contrib.auth's forms and the admin's password pages (a user's password, one's own).
DJANGO_AUTH = (
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note that both "
        "fields may be case-sensitive."
    ),
    gettext_noop("password"),
    gettext_noop("Password confirmation"),
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Password-based authentication"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they "
        "may still be able to authenticate using other backends, such as Single Sign-On or LDAP."
    ),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    gettext_noop("No password set."),
    gettext_noop("Invalid password format or unknown hashing algorithm."),
    gettext_noop("Password changed successfully."),
    gettext_noop("Change password: %s"),
    gettext_noop("Set password: %s"),
    gettext_noop("Change password"),
    gettext_noop("Set password"),
    gettext_noop("Reset password"),
    gettext_noop("Password change"),
    gettext_noop(
        "Please enter your old password, for security’s sake, and then enter your new password "
        "twice so we can verify you typed it in correctly."
    ),
    gettext_noop("Change my password"),
    gettext_noop("Your password was changed."),
    gettext_noop("Enter a new password for the user <strong>%(username)s</strong>."),
    gettext_noop(
        "This action will <strong>enable</strong> password-based authentication for this user."
    ),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("staff status"),
)

# django-axes (sign-in throttling): its models and admin, no Spanish catalogue of its own.
AXES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
)

# django-tasks and its database backend (the email queue's task results), no Spanish either.
DJANGO_TASKS = (
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)


# django-otp-webauthn: its browser script asks these of the JavaScript catalogue, which
# accounts.passkeys.PasskeyScriptCatalog builds from this list and our catalogue (the package's
# Spanish says "clave", the word the City keeps for the password). After upgrading the package,
# compare with `grep -o 'gettext("[^"]*")'` over its static files.
PASSKEY_SCRIPT = (
    gettext_noop("An error occurred during registration."),
    gettext_noop("An error occurred during verification."),
    gettext_noop("Finishing registration..."),
    gettext_noop("Finishing verification..."),
    gettext_noop("Register a Passkey"),
    gettext_noop("Registering..."),
    gettext_noop("Registration aborted or not allowed."),
    gettext_noop("Registration aborted."),
    gettext_noop("Registration failed. A server error occurred."),
    gettext_noop(
        "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site."
    ),
    gettext_noop("Registration failed. An unknown error occurred."),
    gettext_noop("Registration failed. The server was unable to verify this passkey."),
    gettext_noop("Registration failed. Unable to fetch registration options from server."),
    gettext_noop(
        "Registration failed. You most likely already have a Passkey registered for this site."
    ),
    gettext_noop("Registration successful!"),
    gettext_noop("Verification aborted."),
    gettext_noop("Verification canceled or not allowed."),
    gettext_noop("Verification failed. A server error occurred."),
    gettext_noop("Verification failed. An unknown error occurred."),
    gettext_noop("Verification failed. An unknown server error occurred."),
    gettext_noop("Verification failed. Could not retrieve parameters from the server."),
    gettext_noop("Verification successful!"),
    gettext_noop("Verify with Passkey"),
    gettext_noop("Verifying..."),
)

# Its admin labels, seen by administrators (the package's Spanish has "mango hexagonal" for a handle).
DJANGO_OTP_WEBAUTHN_ADMIN = (
    gettext_noop("OTP WebAuthn"),
    gettext_noop("WebAuthn credential"),
    gettext_noop("WebAuthn credentials"),
    gettext_noop("WebAuthn attestation"),
    gettext_noop("WebAuthn attestations"),
    gettext_noop("WebAuthn user handle"),
    gettext_noop("WebAuthn user handles"),
    gettext_noop("handle hex"),
    gettext_noop("sign count"),
    gettext_noop("discoverable"),
    gettext_noop("hashed credential id"),
    gettext_noop("credential id data"),
)


class AxesConfig(AxesAppConfig):
    """django-axes, named in the admin's language (the package calls it "Axes")."""

    verbose_name = _("Sign-in attempts")


class TasksDatabaseConfig(TasksAppConfig):
    """django_tasks_db, named in the admin's language (the package: "Tasks Database Backend")."""

    verbose_name = _("Background tasks")
