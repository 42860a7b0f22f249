"""Site-wide behaviour: error pages, settings safety, static files, translations."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from phxpay import contact, views

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/es/LC_MESSAGES/django.po"
MO = ROOT / "locale/es/LC_MESSAGES/django.mo"

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "-production-like-secret-key-0123456789abcdefghijkl",
    "ALLOWED_HOSTS": "payonline.phoenix.gov",
    "SITE_URL": "https://payonline.phoenix.gov",
    "SECURE_SSL_REDIRECT": "true",
    "DATABASE_URL": "sqlite:////tmp/phxpay-check.sqlite3",
    "PAYMENT_PROVIDER": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_production-like",
    "STRIPE_WEBHOOK_SECRET": "whsec_production-like",
}


def manage(*args, env_overrides=None, drop=()):
    # The browser tests' conftest allows async-unsafe DB access in this process; a deployment never does.
    drop = (*drop, "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_contact_details(html):
    assert contact.EMAIL in html and contact.PHONE in html and contact.CONTACT_URL in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang,title", [("en", "Page not found"), ("es", "Página no encontrada")])
def test_404_page_in_both_languages_with_contact(client, lang, title):
    response = client.get(f"/{lang}/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    with translation.override(lang):
        assert translation.gettext("Page not found") == title
    assert title in html
    assert_contact_details(html)


@pytest.mark.django_db
def test_400_page_for_a_bad_host(client):
    response = client.get("/en/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_contact_details(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "es"])
def test_500_and_403_pages_render_with_contact(lang):
    request = RequestFactory().get(f"/{lang}/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override(lang):
        for response, status in (
            (views.server_error(request), 500),
            (views.permission_denied(request), 403),
        ):
            assert response.status_code == status
            html = response.content.decode()
            assert f'<html lang="{lang}">' in html
            assert_contact_details(html)


@pytest.mark.django_db
def test_csrf_failure_page_is_translated(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/es/register/", {"username": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    with translation.override("es"):
        assert translation.gettext("Your form expired") in html
    assert_contact_details(html)


@pytest.mark.django_db
def test_root_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/es/"


@pytest.mark.django_db
def test_static_files_are_served_by_the_app_itself(client):
    html = client.get("/en/").content.decode()
    css = next(line for line in html.splitlines() if "uswds" in line and ".css" in line)
    href = css.split('href="')[1].split('"')[0]
    response = client.get(href)
    assert response.status_code == 200
    assert b"usa-" in b"".join(response.streaming_content)


def test_deploy_checks_pass_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_is_a_loud_error_in_production():
    env = dict(PRODUCTION_ENV)
    env.pop("SECRET_KEY")
    result = manage("check", env_overrides=env, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_argon2id_is_the_first_password_hasher():
    from django.conf import settings

    from phxpay import settings as configured

    # The suite swaps in a cheaper Argon2 (tests/conftest.py); the settings module keeps the real one.
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_spanish_catalogue_is_complete_and_compiled(tmp_path):
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "check.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, stats.stderr
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    assert fresh.read_bytes() == MO.read_bytes(), "django.mo is stale: run `make messages`"


def test_every_visible_string_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of the sources must find nothing new to translate."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", "staticfiles", ".git", "artifacts", "*.sqlite3"
        ),
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "es",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", os.devnull, str(copy / "locale/es/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
    )
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, (
        "strings missing from locale/es: run `make messages` and translate them\n" + stats.stderr
    )


def test_bill_files_url_names_a_directory_or_a_bucket():
    bucket = manage(
        "shell",
        "-c",
        "from django.conf import settings; o = settings.STORAGES['bills']['OPTIONS']; "
        "print(o['bucket_name'], o['endpoint_url'])",
        env_overrides={
            **PRODUCTION_ENV,
            "BILL_FILES_URL": "s3://phx-bills?endpoint_url=https://minio.example.gov",
        },
    )
    # The last line: `shell` first announces what it imported.
    assert bucket.stdout.split()[-2:] == ["phx-bills", "https://minio.example.gov"], bucket.stderr
    wrong = manage("check", env_overrides={**PRODUCTION_ENV, "BILL_FILES_URL": "ftp://x/y"})
    assert wrong.returncode != 0
    assert "BILL_FILES_URL must be file:///a/directory or s3://bucket." in wrong.stderr
