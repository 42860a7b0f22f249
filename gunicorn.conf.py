"""Gunicorn settings for PHX Pay Online: `gunicorn -c gunicorn.conf.py` (Dockerfile, compose).

Every knob that differs between hosts comes from the environment, as documented in .env.example.
"""

import multiprocessing
import os

# The Django WSGI entry point, so the command line needs no app argument.
wsgi_app = "phxpay.wsgi:application"

# Listen on all interfaces: inside a container, 127.0.0.1 is unreachable from the published port or
# the proxy. PORT lets a platform choose the port.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"  # noqa: S104

# Sync workers, one request at a time each. 2 x CPUs + 1 is gunicorn's rule of thumb. CPU count
# sees the host's CPUs, not the container's limit, so deployments set WEB_CONCURRENCY explicitly.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)

# Kill and replace a worker stuck on one request for longer than this, so one blocked call
# (database, email provider) cannot take a worker out of service forever.
# Keep EMAIL_TIMEOUT below it.
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
