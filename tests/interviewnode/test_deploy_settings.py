"""The production settings pass ``manage.py check --deploy``, refuse to start without secrets and collect
the static files."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = settings.BASE_DIR / "manage.py"
# Only a guard against a hung process, far above what the check needs.
HANG_GUARD_SECONDS = 600


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    # A production process starts without the test run's own switches (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which check --deploy rightly reports).
    dropped = {
        "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="interviewnode.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with the running interpreter
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )


def test_production_settings_pass_check_deploy(production_env):
    assert len(production_env["SECRET_KEY"]) >= 50

    result = _check_deploy(production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# REDIS_URL: every worker must share one cache (throttles; the bank's cached lists, which a write forgets).
@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"])
def test_production_settings_refuse_to_start_without_a_required_setting(production_env, name):
    del production_env[name]

    result = _check_deploy(production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_check_deploy_fails_on_a_weak_secret_key(production_env):
    production_env["SECRET_KEY"] = "short-and-weak"

    result = _check_deploy(production_env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_debug_cannot_be_switched_on_in_production(production_env):
    production_env["DEBUG"] = "true"

    result = _check_deploy(production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "security.W018" not in result.stdout + result.stderr


def test_turning_off_the_https_redirect_is_reported(production_env):
    production_env["SECURE_SSL_REDIRECT"] = "false"

    result = _check_deploy(production_env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_production_collects_the_static_files_and_every_script_import_resolves(production_env, tmp_path):
    # The manifest storage follows each sourceMappingURL and fails on a missing map; the page scripts
    # import their chunks by relative path, which must exist next to them in STATIC_ROOT.
    production_env["STATIC_ROOT"] = str(tmp_path / "static")
    result = subprocess.run(  # noqa: S603 - our own manage.py with the running interpreter
        [sys.executable, str(MANAGE), "collectstatic", "--no-input"],
        env=production_env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    dist = tmp_path / "static" / "dist"
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    assert {"dist/app.js", "dist/session.js", "dist/bootstrap.min.css"} <= set(manifest)
    pending, seen = [dist / "session.js", dist / "app.js"], set()
    while pending:
        script = pending.pop()
        seen.add(script)
        for target in re.findall(r'(?:import\(|from)\s*"(\.{1,2}/[^"]+)"', script.read_text()):
            imported = (script.parent / target).resolve()
            assert imported.is_file(), f"{script.name} imports {target}, which was not collected"
            if imported not in seen:
                pending.append(imported)
    assert any("editor-" in path.name for path in seen)  # the code editor is a chunk of its own
