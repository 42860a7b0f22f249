from accounts.models import User
from enrollment.models import BillingAccount
from phxpay.emails import BILINGUAL, send_templated_email


def _language_of(email: str) -> str | None:
    """The preferred language of the web user who owns this address, if any; else both languages."""
    language = (
        User.objects.filter(email__iexact=email)
        .values_list("preferred_language", flat=True)
        .first()
    )
    return language or BILINGUAL


def send_enrolled_notice(*, account: BillingAccount, user: User) -> None:
    if not account.ebill_email:
        return
    send_templated_email(
        name="account_enrolled",
        to=[account.ebill_email],
        language=_language_of(account.ebill_email),
        context={"account": account, "username": user.username},
    )


def send_locked_notice(*, account: BillingAccount) -> None:
    if not account.ebill_email:
        return
    send_templated_email(
        name="account_locked",
        to=[account.ebill_email],
        language=_language_of(account.ebill_email),
        context={"account": account},
    )
