"""docker-compose.yml and the Dockerfile, checked without Docker (issue 6 item 8).

The compose file is parsed with PyYAML; each service's command is parsed by the real `akledger`
command line (click, as typer vendors it), so an option that does not exist fails here, not at deploy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml  # type: ignore[import-untyped]  # PyYAML ships no types; no stubs installed

from api.cli import app

ROOT = Path(__file__).resolve().parents[2]
_DEFAULT = re.compile(r"\$\{(\w+):-([^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def interpolated(word: str) -> str:
    """``word`` as compose reads it when the variables are unset: ``${NAME:-default}`` -> default."""
    return _DEFAULT.sub(lambda m: m.group(2), word)


def akledger_params(command: list[str]) -> tuple[str, dict[str, Any]]:
    """The `akledger` subcommand a service runs and its parameters, as the real CLI parses them."""
    assert command[0] == "akledger", command
    group: Any = typer.main.get_command(app)  # click's API, as typer vendors it
    words = [interpolated(word) for word in command[1:]]
    with group.make_context("akledger", list(words)) as parent:
        name, sub, args = group.resolve_command(parent, words)
        with sub.make_context(name, args, parent=parent) as ctx:
            return str(name), dict(ctx.params)


def test_the_stack_is_postgres_a_one_shot_migration_the_api_and_one_projector(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "api", "projector"}
    assert akledger_params(services["migrate"]["command"]) == ("init", {"if_absent": True})
    assert services["migrate"]["restart"] == "no"
    assert akledger_params(services["projector"]["command"])[0] == "projector"
    assert services["projector"].get("deploy", {}).get("replicas", 1) == 1


def test_the_api_serves_several_workers_and_leaves_the_integrator_to_the_projector(
    compose: dict[str, Any],
) -> None:
    name, params = akledger_params(compose["services"]["api"]["command"])
    assert name == "serve"
    assert params["workers"] == 2  # ${AKLEDGER_WORKERS:-2}
    assert params["integrator"] is False  # exactly one integrator: the projector's
    assert params["host"] == "0.0.0.0"
    assert any(p.endswith(f":{params['port']}") for p in compose["services"]["api"]["ports"])


def test_each_service_starts_only_when_what_it_needs_is_ready(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("api", "projector"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    api_check = " ".join(services["api"]["healthcheck"]["test"])
    assert "/health" in api_check
    assert "8000" in api_check


def test_every_akledger_service_shares_the_database_and_the_key_volume(compose: dict[str, Any]) -> None:
    for name in ("migrate", "api", "projector"):
        service = compose["services"][name]
        env = service["environment"]
        assert env["AKLEDGER_DATABASE_URL"].startswith("postgresql+psycopg2://"), name
        assert "@postgres:5432/" in env["AKLEDGER_DATABASE_URL"], name
        assert f"akledger-home:{env['AKLEDGER_HOME']}" in service["volumes"], name
    assert set(compose["volumes"]) == {"pgdata", "akledger-home"}


def test_the_image_copies_only_what_exists_and_is_not_ignored() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    assert dockerfile[next(i for i, line in enumerate(dockerfile) if line.startswith("FROM"))] == (
        "FROM python:3.11-slim")
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    copied = [word for line in dockerfile if line.startswith("COPY ") for word in line.split()[1:-1]]
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert source not in ignored, source
    assert any("pip install" in line for line in dockerfile)
