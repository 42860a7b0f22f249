"""Liveness and readiness for load balancers and orchestrators (no language prefix, no rate limit)."""

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """The process is up and answering. Touches nothing else, so it stays cheap under load."""
    return JsonResponse({"status": "ok"})


def _database_ready() -> tuple[bool, str]:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", reported by class name
        return False, f"unreachable ({type(error).__name__})"
    if pending:
        return False, f"{len(pending)} migration(s) not applied"
    return True, "ok"


def _cache_ready() -> tuple[bool, str]:
    try:
        cache.set("readyz", "1", 10)
        ok = cache.get("readyz") == "1"
    except Exception as error:  # noqa: BLE001
        return False, f"unreachable ({type(error).__name__})"
    return ok, "ok" if ok else "read-back failed"


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: database reachable and migrated, cache reachable."""
    checks = {"database": _database_ready(), "cache": _cache_ready()}
    ready = all(ok for ok, _detail in checks.values())
    body = {"status": "ok" if ready else "unavailable"}
    body.update({name: detail for name, (_ok, detail) in checks.items()})
    return JsonResponse(body, status=200 if ready else 503)
