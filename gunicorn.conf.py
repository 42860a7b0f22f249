"""Gunicorn settings for PHX Pay Online: `gunicorn -c gunicorn.conf.py` (Dockerfile, compose).

Every knob that differs between hosts comes from the environment, as documented in .env.example.
"""

import multiprocessing
import os
import re
from urllib.parse import unquote

from gunicorn import glogging

# The Django WSGI entry point, so the command line needs no app argument.
wsgi_app = "phxpay.wsgi:application"

# Listen on all interfaces: inside a container, 127.0.0.1 is unreachable from the published port or
# the proxy. PORT lets a platform choose the port.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # noqa: S104

# Sync workers, one request at a time each. 2 x CPUs + 1 is gunicorn's rule of thumb. CPU count
# sees the host's CPUs, not the container's limit, so deployments set WEB_CONCURRENCY explicitly.
# Each worker keeps up to one PostgreSQL connection open (60 s, settings.py).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)

# Kill and replace a worker stuck on one request for longer than this, so one blocked call
# (database, email provider) cannot take a worker out of service forever.
# Keep the email send timeout (settings.EMAIL_TIMEOUT) below it (with the in-process task backend, emails go out inside the request).
timeout = 30

# On SIGTERM (deploy, `docker compose stop`), give in-flight requests this long to finish before
# workers are killed. Keep Docker's stop_grace_period at least this long.
graceful_timeout = 30

# Seconds to hold an idle client connection open for the next request. The default sync worker
# ignores it. It applies if worker_class becomes gthread or async. Then the proxy's upstream idle
# timeout must be shorter, or it may reuse a connection that gunicorn is closing.
keepalive = 5

# Access and error logs to stdout/stderr, where the container runtime collects them.
accesslog = "-"
errorlog = "-"

# Trust X-Forwarded-* headers (scheme, client address) only from these proxy IPs. Otherwise any
# client could claim to be on HTTPS. The default trusts only a proxy on the same host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No runtime control socket (gunicorn 25.1+). Nothing in the container uses `gunicornc`. The
# non-root user has no home directory for the default socket path, and an unused management
# socket is one more thing to secure.
control_socket_disable = True


# --- Access log without secrets -------------------------------------------------------------------
# Emailed links carry a secret in their path: /<lang>/register/confirm/<token>/,
# /<lang>/profile/email/confirm/<token>/, /<lang>/profile/email/undo/<token>/,
# /<lang>/accounts/first-sign-in/<token>/ and /<lang>/password-reset/<uidb64>/<token>/. The views
# move the token into the session and redirect at once, but that first request still reaches the
# access log, and a log is no place for a live credential. RedactingLogger replaces the token
# segment with [redacted] in the request line, the path and the Referer. Query strings are left out
# altogether: they can hold an email address (the invitation link's ?email=).

_TOKEN_SEGMENT = re.compile(
    r"(?P<keep>(?:register/confirm|profile/email/confirm|profile/email/undo)/"
    # The pre-created users' first sign-in link; its sent/ and password/ pages hold no secret.
    r"|accounts/first-sign-in/(?!(?:sent|password)(?:/|$))"
    # Django's reset view redirects to password-reset/<uidb64>/set-password/, which is no secret.
    r"|password-reset/[^/?#]+/(?!set-password(?:/|$)))"
    r"[^/?#]+",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redact_uri(uri: str) -> str:
    """A path or URL fit for the access log: link tokens replaced, query string dropped."""
    path = uri.partition("?")[0]
    # Django routes the percent-decoded path: /register/%63onfirm/<token>/ reaches the token view,
    # so the log must match on the decoded text too (and then keeps only the decoded, redacted form).
    decoded = unquote(path)
    if _TOKEN_SEGMENT.search(decoded):
        return _TOKEN_SEGMENT.sub(rf"\g<keep>{REDACTED}", decoded)
    return path


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, formatting the access log from a copy of environ with tokens redacted."""

    def atoms(self, resp, req, environ, request_time):
        safe = dict(environ)
        for key in ("RAW_URI", "PATH_INFO", "HTTP_REFERER"):
            if safe.get(key):
                safe[key] = redact_uri(safe[key])
        safe["QUERY_STRING"] = ""
        atoms = super().atoms(resp, req, safe, request_time)
        # Request headers are also atoms (%({referer}i)s), taken from req rather than environ.
        if atoms.get("{referer}i"):
            atoms["{referer}i"] = redact_uri(atoms["{referer}i"])
        return atoms


logger_class = RedactingLogger

# Apache's combined format, plus the request time in seconds and the X-Request-ID that
# phxpay.middleware sets, so a line can be matched with the application's JSON logs.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)s %({x-request-id}o)s'
)
