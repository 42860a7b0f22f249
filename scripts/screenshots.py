#!/usr/bin/env python3
"""Regenerate docs/screenshots/*.png: the main pages at desktop (1280 px) and phone (390 px) widths,
in English and Spanish, taken by headless Chromium from the real pages on pytest-django's live server.

    .venv/bin/python scripts/screenshots.py [extra pytest arguments]

It collects the static files (as `make test` does), then runs tests/e2e/test_screenshots.py with
SCREENSHOTS=1; that module is skipped in ordinary test runs. DATABASE_URL is honoured as by pytest.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    python = sys.executable
    build_env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "collectstatic-only",
        "PIN_PEPPER": "collectstatic-only-pepper",
    }
    # Fixed argument lists run with this interpreter: no shell, nothing from outside but pytest flags.
    subprocess.run(  # noqa: S603
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=build_env,
        check=True,
    )
    command = [
        python,
        "-m",
        "pytest",
        "tests/e2e/test_screenshots.py",
        "-m",
        "screenshots",
        "-q",
        "-p",
        "no:cacheprovider",
        *argv,
    ]
    result = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env={**os.environ, "SCREENSHOTS": "1"}, check=False
    )
    if result.returncode == 0:
        shots = sorted((ROOT / "docs" / "screenshots").glob("*.png"))
        size = sum(shot.stat().st_size for shot in shots)
        print(f"{len(shots)} screenshots in docs/screenshots ({size / 1_000_000:.1f} MB)")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
