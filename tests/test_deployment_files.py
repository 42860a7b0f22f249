"""The deployment files agree with each other and with the code that reads the environment.

Static checks only. They parse docker-compose.yml, .env.example, Dockerfile, .dockerignore,
docs/deploying.md and the source of phxpay/settings.py and gunicorn.conf.py, and ask Django for its
URLs and management commands. They need no database and no Docker daemon.
"""

import ast
import datetime
import fnmatch
import multiprocessing
import re
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_PY = ROOT / "phxpay" / "settings.py"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOYING_MD = ROOT / "docs" / "deploying.md"

REQUIRED_SERVICES = ("db", "redis", "mailpit", "web", "worker")
# The application services: one image, one environment.
APP_SERVICES = ("web", "worker")
DATABASE_TASK_BACKEND = "django_tasks_db.DatabaseBackend"

# env("X"), env.bool("X"), env.int("X"), env.list("X"), env.url("X"), env.db("X"), os.environ...
ENV_READ = re.compile(
    r"""(?:\benv(?:\.\w+)?\(|\bos\.environ\.get\(|\bos\.getenv\(|\bos\.environ\[)"""
    r"""\s*["']([A-Z][A-Z0-9_]*)["']"""
)
# Prefix handling such as `key.startswith("ANYMAIL_")` over the whole environment.
ENV_PREFIX = re.compile(r"""\.startswith\(\s*["']([A-Z][A-Z0-9_]*_)["']\s*\)""")
# ${VAR}, ${VAR:-default}, ... but not $${VAR}, which Compose passes through to the container.
COMPOSE_INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}")


# --- helpers --------------------------------------------------------------------------------------


def names_read_by(source: str) -> tuple[set[str], set[str]]:
    """(variable names, name prefixes) that a Python source reads from the environment."""
    return set(ENV_READ.findall(source)), set(ENV_PREFIX.findall(source))


def is_read(name: str, names: set[str], prefixes: set[str]) -> bool:
    return name in names or any(name.startswith(prefix) for prefix in prefixes)


def env_example_blocks() -> dict[str, dict]:
    """Documented variables: name -> {"comment": the line above it, "value": its example}."""
    blocks: dict[str, dict] = {}
    previous = ""
    for line in ENV_EXAMPLE.read_text().splitlines():
        if assignment := re.match(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            name = assignment.group(1)
            assert name not in blocks, f".env.example documents {name} twice"
            comment = previous.removeprefix("#").strip() if previous.startswith("# ") else ""
            blocks[name] = {"comment": comment, "value": assignment.group(2)}
        previous = line
    return blocks


def documented_names() -> set[str]:
    return set(env_example_blocks())


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_interpolations() -> list[tuple[str, str]]:
    """(variable, modifier) for every ${...} in the file's values and keys (comments excluded)."""
    found: list[tuple[str, str]] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(key)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            found.extend(COMPOSE_INTERPOLATION.findall(node))

    walk(compose())
    return found


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # ["KEY=value", ...] form
        return dict(item.partition("=")[::2] for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def command_text(service: dict) -> str:
    command = service.get("command") or ""
    return command if isinstance(command, str) else " ".join(command)


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Instructions as (KEYWORD, arguments) grouped by stage; continuations joined, no comments."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stages.append([])
        assert stages, f"Dockerfile instruction before the first FROM: {line}"
        stages[-1].append((keyword, " ".join(args.split())))
    return stages


def dockerignore_excludes(path: str) -> bool:
    """Whether .dockerignore leaves `path` out of the build context (last matching pattern wins)."""
    excluded = False
    for raw in DOCKERIGNORE.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.removeprefix("**/")):
            excluded = not negated
    return excluded


def _constant(node: ast.AST):
    """The value of a literal default (numbers, strings, booleans, lists, `30 * 60`); else KeyError."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [_constant(item) for item in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.Sub):
        left, right = _constant(node.left), _constant(node.right)
        return {ast.Mult: left * right, ast.Add: left + right, ast.Sub: left - right}[type(node.op)]
    raise KeyError(ast.dump(node))


def gunicorn_config() -> dict:
    return runpy.run_path(str(GUNICORN_CONF))


def access_log_line(capsys, *, raw_uri: str, referer: str = "-") -> str:
    """One access-log line written by gunicorn.conf.py's logger class with its format."""
    from gunicorn.config import Config

    conf = gunicorn_config()
    cfg = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        cfg.set(name, conf[name])
    logger = cfg.logger_class(cfg)
    path, _, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.10",
        "HTTP_USER_AGENT": "test-agent",
        "HTTP_REFERER": referer,
    }
    before = dict(environ)
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("X-Request-ID", "req12345")])
    request = SimpleNamespace(headers=[("REFERER", referer), ("USER-AGENT", "test-agent")])
    logger.access(response, request, environ, datetime.timedelta(microseconds=1500))
    assert environ == before, "the logger changed the request's environ"
    return capsys.readouterr().out


# --- the parsers themselves -----------------------------------------------------------------------


def test_settings_parser_finds_every_kind_of_env_read():
    """Guard the regexes: if they found nothing, the other checks would pass vacuously."""
    names, prefixes = names_read_by(SETTINGS_PY.read_text())
    for name in (
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "DATABASE_URL",
        "EMAIL_URL",
        "TRUSTED_PROXY_COUNT",
    ):
        assert name in names  # env.bool, env(), env.list, env.url, env.db, env.email_url, env.int
    assert "ANYMAIL_" in prefixes
    assert len(documented_names()) >= len(names)  # every read one is documented (below)


# --- docker-compose.yml ---------------------------------------------------------------------------


def test_compose_defines_db_redis_mailpit_and_web():
    assert set(REQUIRED_SERVICES) <= set(compose()["services"])


@pytest.mark.parametrize("name", REQUIRED_SERVICES)
def test_every_service_has_a_healthcheck(name):
    healthcheck = compose()["services"][name].get("healthcheck") or {}
    assert healthcheck.get("test"), f"{name} has no healthcheck test"
    assert not healthcheck.get("disable"), f"{name} disables its healthcheck"


def test_database_lives_on_a_named_volume_declared_at_top_level():
    config = compose()
    mounts = config["services"]["db"].get("volumes") or []
    sources = [m["source"] if isinstance(m, dict) else m.split(":", 1)[0] for m in mounts]
    data_mounts = [
        m
        for m in mounts
        if "/var/lib/postgresql/data" in (m["target"] if isinstance(m, dict) else m)
    ]
    assert data_mounts, "db does not mount PostgreSQL's data directory"
    named = [s for s in sources if not s.startswith((".", "/", "~"))]
    assert named, "db's data is on a bind mount, not a named volume"
    assert set(named) <= set(config.get("volumes") or {}), (
        "db's volume is not declared at top level"
    )


@pytest.mark.parametrize("dependency", ["db", "redis", "mailpit"])
def test_web_starts_only_after_its_dependencies_are_healthy(dependency):
    depends_on = compose()["services"]["web"].get("depends_on") or {}
    assert isinstance(depends_on, dict), "depends_on list form cannot wait for health"
    assert depends_on.get(dependency, {}).get("condition") == "service_healthy"


def test_web_runs_migrations_before_starting_gunicorn():
    command = command_text(compose()["services"]["web"])
    # `&&`, not `;`, so that a failed migration stops gunicorn from starting on an old schema.
    assert re.search(
        r"manage\.py migrate\b[^;&|]*&&\s*(?:exec\s+)?gunicorn\s+-c\s+gunicorn\.conf\.py", command
    ), command


def test_every_compose_environment_variable_is_documented():
    """What the app's services get; the db, redis and mailpit images' own fixed settings (the
    compose database's name and role) are not deployment variables. What compose takes from the
    shell is checked below."""
    documented = documented_names()
    settings_names, prefixes = names_read_by(SETTINGS_PY.read_text())
    for name, service in compose()["services"].items():
        if name not in ("web", "worker"):
            continue
        for variable in service_environment(service):
            assert variable in documented or is_read(variable, settings_names, prefixes), (
                f"{name}: {variable} is neither read by settings nor documented in .env.example"
            )
            if name == "web":
                assert variable in documented, f"web: {variable} is missing from .env.example"


def test_compose_runs_without_a_dot_env_and_documents_what_it_interpolates():
    documented = documented_names()
    interpolations = compose_interpolations()
    assert interpolations
    for variable, modifier in interpolations:
        assert modifier.startswith(":-"), f"${{{variable}{modifier}}} has no default"
        assert variable in documented, f"${{{variable}}} is missing from .env.example"


@pytest.mark.parametrize("secret", ["SECRET_KEY", "PIN_PEPPER", "POSTGRES_PASSWORD"])
def test_compose_secret_defaults_are_marked_change_me(secret):
    defaults = [
        modifier.removeprefix(":-")
        for variable, modifier in compose_interpolations()
        if variable == secret
    ]
    assert defaults, f"compose does not take {secret} from the environment"
    assert all("change-me" in default for default in defaults)


def test_web_does_not_redirect_its_own_healthcheck_to_https():
    web = compose()["services"]["web"]
    environment = service_environment(web)
    assert "127.0.0.1:8000/healthz" in " ".join(web["healthcheck"]["test"])
    assert environment["SECURE_SSL_REDIRECT"] == "false"
    assert "127.0.0.1" in environment["ALLOWED_HOSTS"]


@pytest.mark.parametrize("endpoint", ["healthz", "readyz"])
def test_health_endpoints_are_served_without_a_language_prefix(endpoint):
    """web's healthcheck asks for /healthz: it must not sit inside i18n_patterns (/en/...)."""
    from django.urls import reverse

    assert reverse(endpoint) == f"/{endpoint}"


def test_worker_runs_db_worker_from_the_web_image():
    services = compose()["services"]
    worker, web = services["worker"], services["web"]
    assert re.search(r"\bmanage\.py\s+db_worker\b", command_text(worker)), command_text(worker)
    assert worker.get("image") and worker["image"] == web.get("image")
    assert not worker.get("ports"), "the worker serves no HTTP"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_queue_email_in_the_database_and_share_redis(name):
    environment = service_environment(compose()["services"][name])
    assert environment["TASKS_BACKEND"] == DATABASE_TASK_BACKEND
    assert environment["CACHE_URL"] == "redis://redis:6379/0"


def test_worker_has_the_same_environment_as_web():
    services = compose()["services"]
    assert service_environment(services["worker"]) == service_environment(services["web"])


@pytest.mark.parametrize("dependency", ["db", "web"])
def test_worker_starts_after_the_database_and_web_migrations(dependency):
    """web is healthy only after `migrate && gunicorn`, so the task tables exist."""
    depends_on = compose()["services"]["worker"].get("depends_on") or {}
    assert isinstance(depends_on, dict), "depends_on list form cannot wait for health"
    assert depends_on.get(dependency, {}).get("condition") == "service_healthy"


def test_worker_healthcheck_does_not_expect_http():
    test = " ".join(compose()["services"]["worker"]["healthcheck"]["test"])
    assert "urlopen" not in test and "8000" not in test
    assert "DATABASE_URL" in test


# --- .env.example ---------------------------------------------------------------------------------


def test_every_documented_variable_has_a_one_line_comment_and_a_value():
    blocks = env_example_blocks()
    assert blocks
    for name, block in blocks.items():
        assert block["comment"], f"{name} has no comment line above it"
        assert block["value"], f"{name} has no example value"


def test_every_documented_variable_is_read_by_the_code_or_compose():
    names: set[str] = set()
    prefixes: set[str] = set()
    for source in (SETTINGS_PY, GUNICORN_CONF):
        found, found_prefixes = names_read_by(source.read_text())
        names |= found
        prefixes |= found_prefixes
    names |= {variable for variable, _ in compose_interpolations()}
    unread = [name for name in env_example_blocks() if not is_read(name, names, prefixes)]
    assert not unread, f".env.example documents variables nothing reads: {unread}"


@pytest.mark.parametrize("source", [SETTINGS_PY, GUNICORN_CONF], ids=lambda p: p.name)
def test_every_variable_the_code_reads_is_documented(source):
    names, prefixes = names_read_by(source.read_text())
    documented = documented_names()
    assert not names - documented, f"undocumented: {sorted(names - documented)}"
    for prefix in prefixes:
        assert any(name.startswith(prefix) for name in documented), f"no {prefix}* example"


# --- Dockerfile and .dockerignore -----------------------------------------------------------------


def test_image_installs_front_end_dependencies_with_npm_ci_in_a_node_stage():
    node_stages = [s for s in dockerfile_stages() if s[0][1].startswith("node:")]
    assert node_stages, "no node build stage"
    instructions = node_stages[0]
    assert any(k == "COPY" and "package-lock.json" in a for k, a in instructions)
    assert any(k == "RUN" and re.search(r"\bnpm ci\b", a) for k, a in instructions)


def test_node_modules_never_come_from_the_build_context():
    for stage in dockerfile_stages():
        for keyword, args in stage:
            if keyword in ("COPY", "ADD") and "node_modules" in args:
                assert keyword == "COPY" and "--from=" in args, f"{keyword} {args}"
    assert dockerignore_excludes("node_modules")


@pytest.mark.parametrize(
    "path", ["node_modules", ".venv", "db.sqlite3", ".env", "staticfiles", ".git"]
)
def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image(path):
    assert dockerignore_excludes(path)


def test_image_compiles_translations_and_collects_static_files():
    runs = [a for k, a in dockerfile_stages()[-1] if k == "RUN"]
    assert any(
        "msgfmt --check-format" in a and "locale/es/LC_MESSAGES/django.po" in a for a in runs
    )
    collect = [a for a in runs if "collectstatic --noinput" in a]
    # With DEBUG=false the settings refuse to load without SECRET_KEY and PIN_PEPPER.
    assert collect and "DEBUG=false" in collect[0]
    assert "SECRET_KEY=" in collect[0] and "PIN_PEPPER=" in collect[0]


def test_image_runs_as_a_non_root_user_and_serves_with_gunicorn_conf():
    final = dockerfile_stages()[-1]
    users = [a for k, a in final if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    cmd = [a for k, a in final if k == "CMD"][-1]
    assert "gunicorn" in cmd and "gunicorn.conf.py" in cmd
    assert ("EXPOSE", "8000") in final


# --- gunicorn.conf.py -----------------------------------------------------------------------------


def test_gunicorn_takes_port_and_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.10")
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["bind"] == "0.0.0.0:9123"
    assert config["workers"] == 4
    assert config["forwarded_allow_ips"] == "10.0.0.10"


def test_gunicorn_defaults_to_port_8000_and_two_workers_per_cpu_plus_one(monkeypatch):
    for name in ("PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["bind"] == "0.0.0.0:8000"
    assert config["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == (30, 30, 5)
    assert config["accesslog"] == config["errorlog"] == "-"


def test_gunicorn_serves_the_wsgi_application_named_in_settings():
    wsgi = re.search(r'WSGI_APPLICATION\s*=\s*"([\w.]+)"', SETTINGS_PY.read_text()).group(1)
    module, _, attribute = wsgi.rpartition(".")
    assert runpy.run_path(str(GUNICORN_CONF))["wsgi_app"] == f"{module}:{attribute}"


def test_gunicorn_accepts_every_setting_in_the_file():
    """Each name gunicorn knows passes its validator (a typo'd type fails here, not at deploy)."""
    from gunicorn.config import Config

    cfg = Config()
    known = {name: value for name, value in gunicorn_config().items() if name in cfg.settings}
    assert {"bind", "workers", "logger_class", "access_log_format"} <= set(known)
    for name, value in known.items():
        cfg.set(name, value)


@pytest.mark.parametrize(
    ("uri", "logged"),
    [
        ("/en/register/confirm/Zk3-x_9QpL/", "/en/register/confirm/[redacted]/"),
        ("/es/register/confirm/Zk3-x_9QpL/", "/es/register/confirm/[redacted]/"),
        ("/en/profile/email/confirm/Zk3-x_9QpL/", "/en/profile/email/confirm/[redacted]/"),
        ("/es/profile/email/confirm/Zk3-x_9QpL/", "/es/profile/email/confirm/[redacted]/"),
        ("/en/password-reset/MQ/cbx1-0a1b2c3d/", "/en/password-reset/MQ/[redacted]/"),
        ("/es/password-reset/MQ/cbx1-0a1b2c3d/", "/es/password-reset/MQ/[redacted]/"),
        # Without the trailing slash, and before LocaleMiddleware adds the language prefix.
        ("/en/register/confirm/Zk3-x_9QpL", "/en/register/confirm/[redacted]"),
        ("/register/confirm/Zk3-x_9QpL/", "/register/confirm/[redacted]/"),
        # Full URLs (the Referer); the query string is dropped.
        (
            "https://payonline.phoenix.gov/en/register/confirm/Zk3-x_9QpL/?utm=1",
            "https://payonline.phoenix.gov/en/register/confirm/[redacted]/",
        ),
        # No secret in these: unchanged, except for the query string.
        ("/en/register/confirm/", "/en/register/confirm/"),
        ("/en/profile/email/confirm/", "/en/profile/email/confirm/"),
        ("/en/password-reset/", "/en/password-reset/"),
        ("/en/password-reset/sent/", "/en/password-reset/sent/"),
        ("/en/password-reset/MQ/set-password/", "/en/password-reset/MQ/set-password/"),
        ("/en/register/?email=someone%40example.com", "/en/register/"),
        ("/healthz", "/healthz"),
    ],
)
def test_gunicorn_redacts_link_tokens_and_query_strings(uri, logged):
    assert gunicorn_config()["redact_uri"](uri) == logged


def test_access_log_never_shows_a_link_token(capsys):
    line = access_log_line(
        capsys,
        raw_uri="/en/register/confirm/Zk3-x_9QpL/?email=someone@example.com",
        referer="https://payonline.phoenix.gov/es/password-reset/MQ/cbx1-0a1b2c3d/",
    )
    assert '"GET /en/register/confirm/[redacted]/ HTTP/1.1" 302' in line
    assert '"https://payonline.phoenix.gov/es/password-reset/MQ/[redacted]/"' in line
    assert "Zk3-x_9QpL" not in line and "cbx1-0a1b2c3d" not in line
    assert "someone" not in line
    assert line.rstrip().endswith("req12345"), "the X-Request-ID ties the line to the app's logs"


def test_access_log_keeps_ordinary_requests_readable(capsys):
    line = access_log_line(capsys, raw_uri="/en/login/")
    assert line.startswith("10.0.0.10 - - [")
    assert '"GET /en/login/ HTTP/1.1" 302 0 "-" "test-agent"' in line


# --- docs/deploying.md ----------------------------------------------------------------------------


def test_deploying_guide_names_only_commands_that_exist():
    from django.core.management import get_commands

    named = set(re.findall(r"manage\.py\s+([a-z_]+)", DEPLOYING_MD.read_text()))
    assert {"db_worker", "import_accounts", "prune_audit_log", "purge_unconfirmed"} <= named
    assert not named - set(get_commands()), (
        f"no such command: {sorted(named - set(get_commands()))}"
    )


def test_deploying_guide_names_only_documented_variables():
    """Backquoted UPPER_CASE names are environment variables, except these Django settings."""
    django_settings = {"SECRET_KEY_FALLBACKS", "DISABLE_SERVER_SIDE_CURSORS", "ANYMAIL"}
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`", DEPLOYING_MD.read_text()))
    unknown = named - documented_names() - django_settings
    assert not unknown, f"docs/deploying.md names undocumented variables: {sorted(unknown)}"
