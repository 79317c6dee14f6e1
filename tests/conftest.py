"""Fixtures shared by every test: one ledger per test, on SQLite and on PostgreSQL.

PostgreSQL: the session creates its own database (and drops it at the end); each test gets
its own schema inside it through ``search_path``, so tests never see each other's rows.
The server is found at AKLEDGER_TEST_PG_ADMIN_URL (default: the local trust-auth server).
Where no server answers, the PostgreSQL half is skipped with the reason, except under CI
(CI=true), where that is an error: CI must run both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.config import Settings
from ledger.store import create_ledger

PG_ADMIN_URL = os.environ.get(
    "AKLEDGER_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
ORIGIN = "test.example/akledger"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this test session's own; its URL."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"akledger_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {PG_ADMIN_URL}: {exc.orig}")
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    base = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    yield sa.engine.make_url(base).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    ).render_as_string(hide_password=False)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        log_origin=ORIGIN,
        actor="tester",
        key_passphrase=None,
    )


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    """The environment a CLI or server process needs to open this test's ledger."""
    return {
        **os.environ,
        "AKLEDGER_HOME": str(settings.home),
        "AKLEDGER_DATABASE_URL": settings.database_url,
        "AKLEDGER_LOG_ORIGIN": settings.log_origin,
        "AKLEDGER_ACTOR": settings.actor,
    }


@pytest.fixture
def actor() -> Actor:
    return Actor(principal="tester", role="dcc-test-manager", organisation="DCC")


@pytest.fixture
def ledger(settings: Settings, actor: Actor) -> Iterator[AKLedger]:
    """A new ledger (genesis event recorded, nothing integrated yet)."""
    app, _ = create_ledger(settings, actor)
    try:
        yield app
    finally:
        app.close()
        app.engine.dispose()
