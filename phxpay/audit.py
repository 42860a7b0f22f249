"""Recording security events. Services call `record`; the request's IP and user agent come along."""

import contextvars
import ipaddress
import logging

from phxpay.models import AuditEvent

logger = logging.getLogger("phxpay.audit")

# Set per request by phxpay.middleware.RequestContextMiddleware; empty outside requests (commands,
# workers).
request_context: contextvars.ContextVar[tuple[str | None, str]] = contextvars.ContextVar(
    "audit_request_context", default=(None, "")
)

# Never written to `detail`, whatever a caller passes.
SECRET_KEYS = {
    "password",
    "pin",
    "token",
    "password1",
    "password2",
    "new_password1",
    "new_password2",
}

Kind = AuditEvent.Kind


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def record(kind: str, *, user=None, username: str = "", **detail) -> None:
    ip, agent = request_context.get()
    ip = _valid_ip(ip)
    clean = {key: value for key, value in detail.items() if key not in SECRET_KEYS}
    AuditEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:254],
        ip=ip or None,
        user_agent=agent[:300],
        detail=clean,
    )
    logger.info("audit %s user=%s", kind, username or (user.pk if user is not None else "-"))


def record_command(command: str, *, user=None, **detail) -> None:
    """A support command's change, with the operator's OS user name (who ran it from the shell)."""
    import getpass

    record(Kind.STAFF_ACTION, user=user, action=command, operator=getpass.getuser(), **detail)
