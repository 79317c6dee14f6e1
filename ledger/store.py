"""Opening and creating a ledger: the event table, the migrations, the genesis key."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from ledger.actors import Actor
from ledger.application import AKLedger, Appended
from ledger.config import Settings
from ledger.errors import NotInitialisedError
from ledger.log.tables import log_leaves
from ledger.log.verifier import KeyTopics
from ledger.signing_keys import LedgerInitialised, SigningKeyRotated

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"

KEY_TOPICS = KeyTopics(
    genesis=f"{LedgerInitialised.__module__}:{LedgerInitialised.__qualname__}",
    rotation=f"{SigningKeyRotated.__module__}:{SigningKeyRotated.__qualname__}",
)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("version_table", "akledger_alembic_version")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(app: AKLedger, revision: str = "head") -> None:
    """Bring the tables we own to ``revision`` (Alembic)."""
    with app.engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def create_ledger(settings: Settings, actor: Actor) -> tuple[AKLedger, Appended]:
    """Create the event table, run the migrations, and record ``LedgerInitialised``."""
    settings.home.mkdir(parents=True, exist_ok=True)
    app = AKLedger(settings, create_table=True)
    migrate(app)
    return app, app.initialise(actor)


def open_ledger(settings: Settings) -> AKLedger:
    """Open an existing ledger (its signer is loaded only when something is appended).

    Raises:
        NotInitialisedError: no ledger at the configured database.
    """
    if settings.is_sqlite and not Path(settings.database_url.removeprefix("sqlite:///")).exists():
        raise NotInitialisedError(
            f"no ledger database at {settings.database_url} (run `akledger init`)"
        )
    app = AKLedger(settings)
    if not inspect(app.engine).has_table(log_leaves.name):
        raise NotInitialisedError("the database has no ledger tables (run `akledger init`)")
    app.signing_keys()
    return app
