# syntax=docker/dockerfile:1
# PHX Pay Online production image: `docker build -t phxpay .`, or `docker compose up --build`.

# --- Front-end assets ------------------------------------------------------------------------------
# USWDS comes from npm and is never committed. Install exactly what package-lock.json pins.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Application -----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext provides msgfmt, which compiles the Spanish catalogue below; Pango and a font let
# WeasyPrint render bill PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user for runtime. The code stays owned by root, so the app cannot modify itself.
RUN groupadd --system --gid 10001 phxpay \
    && useradd --system --uid 10001 --gid phxpay --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin phxpay

WORKDIR /app

# Dependencies before the source, so code edits don't invalidate this layer.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# .dockerignore keeps the build context's node_modules out. This is the one from `npm ci` above.
COPY --from=assets /build/node_modules ./node_modules

# The same msgfmt call as the Makefile / compilemessages. --check-format fails the build on bad placeholders.
RUN msgfmt --check-format -o locale/es/LC_MESSAGES/django.mo locale/es/LC_MESSAGES/django.po

# Collect USWDS and the site's static files into STATIC_ROOT with WhiteNoise's hashed, compressed
# storage. The settings refuse to load without SECRET_KEY and PIN_PEPPER, so pass throwaway
# build-only ones. They are scoped to this RUN and not kept in the image. collectstatic never
# connects to the database.
RUN SECRET_KEY=build-only-collectstatic-not-a-real-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    PIN_PEPPER=build-only-collectstatic-not-a-real-pepper-0123456789abcdefghijklmnopqrstuvwxyz \
    DEBUG=false \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v0

USER phxpay:phxpay
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
