"""The deployment files agree with the settings, and the settings pass Django's deploy checks.

docker/compose.yaml and docker/Dockerfile are checked by reading them (no Docker engine is
needed); ``check --deploy``, ``makemigrations --check`` and ruff run as subprocesses.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shlex
import string
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest
import yaml
from django.core.management import call_command

import portal.settings  # noqa: F401 - fills portal.env.REGISTRY
from portal.env import REGISTRY
from portal.management.commands.envtable import collect, render

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker" / "compose.yaml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
PORTAL_SERVICES = ("web", "worker", "beat")


# --- helpers ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _required_in_production() -> set[str]:
    """Variables marked production=True, whether read on a laptop or only in production."""
    dev, prod = collect()
    names = {v.name for v in REGISTRY.values() if v.production}
    names |= {v.name for v in (*dev.values(), *prod.values()) if v.production}
    return names


def _command(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def _instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (NAME, arguments), continuation lines joined."""
    result: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        name, _, args = current.partition(" ")
        result.append((name.upper(), args.strip()))
        current = ""
    return result


def _final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (name, _) in enumerate(instructions) if name == "FROM"]
    assert starts, "Dockerfile has no FROM"
    return instructions[starts[-1] :]


def _exec_form(args: str) -> list[str]:
    return json.loads(args) if args.startswith("[") else shlex.split(args)


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return _instructions(DOCKERFILE.read_text(encoding="utf-8"))


def _web_command(compose: dict, dockerfile: list[tuple[str, str]]) -> list[str]:
    command = _command(compose["services"]["web"].get("command"))
    if command:
        return command
    cmds = [args for name, args in _final_stage(dockerfile) if name == "CMD"]
    assert cmds, "web has no command and the image has no CMD"
    return _exec_form(cmds[-1])


# --- compose ------------------------------------------------------------------------------
@pytest.mark.sqlite
def test_compose_has_exactly_the_stack_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat", "mail"}
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    assert compose["services"]["mail"]["image"].startswith("axllent/mailpit")
    assert "pg_isready" in " ".join(_command(compose["services"]["postgres"]["healthcheck"]["test"]))
    for name in PORTAL_SERVICES:
        build = compose["services"][name]["build"]
        assert build["context"] == ".."
        assert (COMPOSE_FILE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


@pytest.mark.sqlite
def test_compose_sets_every_production_variable(compose):
    required = _required_in_production()
    assert {"SECRET_KEY", "DATABASE_URL", "PORTAL_ENV"} <= required  # the registry was filled
    for name in PORTAL_SERVICES:
        environment = compose["services"][name]["environment"]
        assert isinstance(environment, dict), f"{name}: environment should be a mapping"
        missing = sorted(var for var in required if str(environment.get(var) or "") == "")
        assert not missing, f"{name} does not set {missing}"
        assert environment["PORTAL_ENV"] == "production"
        # Compose refuses to start without a real key; none is written in the file.
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert str(environment["SECURE_SSL_REDIRECT"]) == "0"
    web, worker, beat = (compose["services"][name]["environment"] for name in PORTAL_SERVICES)
    assert worker == beat
    assert {k: v for k, v in web.items() if k != "RUN_MIGRATIONS"} == worker


@pytest.mark.sqlite
def test_compose_urls_point_at_the_services(compose):
    services = compose["services"]
    for name in PORTAL_SERVICES:
        environment = services[name]["environment"]
        database = dj_database_url.parse(environment["DATABASE_URL"])
        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert database["HOST"] == "postgres"
        postgres_env = services["postgres"]["environment"]
        assert database["USER"] == postgres_env["POSTGRES_USER"]
        assert database["PASSWORD"] == postgres_env["POSTGRES_PASSWORD"]
        assert database["NAME"] == postgres_env["POSTGRES_DB"]
        redis = urlsplit(environment["REDIS_URL"])
        assert (redis.scheme, redis.hostname) == ("redis", "redis")
        assert environment["EMAIL_HOST"] == "mail"
        assert int(environment["EMAIL_PORT"]) == 1025  # Mailpit's SMTP port


@pytest.mark.sqlite
def test_compose_commands(compose, dockerfile):
    worker = _command(compose["services"]["worker"]["command"])
    beat = _command(compose["services"]["beat"]["command"])
    assert worker[:4] == ["celery", "-A", "portal", "worker"]
    assert beat[:4] == ["celery", "-A", "portal", "beat"]
    web = _web_command(compose, dockerfile)
    assert web[0] == "gunicorn"
    assert "portal.wsgi:application" in web
    assert web[web.index("--bind") + 1] == "0.0.0.0:8000"
    assert int(web[web.index("--workers") + 1]) >= 2
    assert "8000:8000" in [str(port) for port in compose["services"]["web"]["ports"]]
    assert compose["services"]["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert compose["services"]["web"]["depends_on"]["redis"]["condition"] == "service_healthy"


# --- Dockerfile ---------------------------------------------------------------------------
def test_dockerfile_runs_as_a_user_that_is_not_root(dockerfile):
    final = _final_stage(dockerfile)
    assert final[0][1].split()[0] == "python:3.11-slim"
    users = [args.split(":")[0] for name, args in final if name == "USER"]
    assert users, "the image has no USER"
    assert users[-1] not in {"root", "0"}


def test_dockerfile_collects_static_and_keeps_the_secret_out_of_the_image(dockerfile):
    runs = [args for name, args in dockerfile if name == "RUN"]
    assert any("manage.py collectstatic --noinput" in run for run in runs)
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in runs)
    for name, args in dockerfile:
        if name in {"ENV", "ARG"}:
            assert not re.search(r"(^|\s)SECRET_KEY(=|\s|$)", args), f"{name} sets SECRET_KEY"
    final = _final_stage(dockerfile)
    assert ("EXPOSE", "8000") in final
    healthchecks = [args for name, args in final if name == "HEALTHCHECK"]
    assert healthchecks and "/healthz" in healthchecks[-1] and "urllib" in healthchecks[-1]


def test_entrypoint_runs_the_given_command():
    text = ENTRYPOINT.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh")
    assert 'exec "$@"' in text
    assert os.access(ENTRYPOINT, os.X_OK)


def test_dockerignore_keeps_local_state_out_of_the_build():
    entries = {line.strip().strip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "var", "node_modules", ".git", "staticfiles", "__pycache__"} <= entries


# --- Django -------------------------------------------------------------------------------
def _clean_env(**values: str) -> dict[str, str]:
    """This process's environment without the portal's variables, plus ``values``."""
    env = {key: value for key, value in os.environ.items() if key not in REGISTRY}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for this process only
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(values)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.sqlite
def test_check_deploy_passes_with_production_settings(tmp_path):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    secret_key = "".join(secrets.choice(alphabet) for _ in range(60))
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_clean_env(
            PORTAL_ENV="production",
            SECRET_KEY=secret_key,
            DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
            PORTAL_VAR_DIR=str(tmp_path),
            ALLOWED_HOSTS="portal.example.jp",
            SITE_URL="https://portal.example.jp",
        ),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output


def test_migrations_match_the_models():
    result = _manage("makemigrations", "--check", "--dry-run", env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr


# --- envtable -----------------------------------------------------------------------------
def _envtable() -> str:
    out = io.StringIO()
    call_command("envtable", stdout=out)
    return out.getvalue()


def test_envtable_lists_every_variable_sorted():
    before = dict(REGISTRY)
    table = _envtable()
    assert dict(REGISTRY) == before  # the command does not disturb the live registry
    rows = table.splitlines()[2:]
    names = [re.match(r"\| `([A-Z0-9_]+)` \|", row).group(1) for row in rows]
    assert names == sorted(names)
    assert set(REGISTRY) <= set(names)
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"} <= set(names)  # production-only
    required = {name for name, row in zip(names, rows, strict=True) if row.split("|")[3].strip()}
    assert required == _required_in_production()


def test_envtable_does_not_depend_on_the_environment(monkeypatch, tmp_path):
    expected = render()
    for name, value in {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "PORTAL_VAR_DIR": str(tmp_path),
        "REDIS_URL": "redis://elsewhere:6379/3",
        "CELERY_TASK_TIME_LIMIT": "7",
        "DEBUG": "1",
    }.items():
        monkeypatch.setenv(name, value)
    assert _envtable() == expected
    assert str(tmp_path) not in expected and "elsewhere" not in expected


@pytest.mark.sqlite
def test_readme_configuration_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- envtable:start -->\n", 1)[1].split("<!-- envtable:end -->", 1)[0]
    out = io.StringIO()
    call_command("envtable", stdout=out)
    assert table.strip() == out.getvalue().strip(), "run: python manage.py envtable and paste it into README.md"
