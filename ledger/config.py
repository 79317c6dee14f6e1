"""Settings from the environment (AKLEDGER_*). Wrong settings raise ConfigError naming them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import ConfigError

DEFAULT_HOME = ".akledger"
DEFAULT_ORIGIN = "localhost/akledger"
# C2SP signed-note key names: non-empty, no spaces or '+'; checkpoint origins likewise one line.
_ORIGIN_RE = re.compile(r"^[^\s+]+$")
# The operator is a principal (``ledger.principals``): its name is a handle.
_HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Settings:
    """Where the ledger lives and how it names itself."""

    home: Path
    database_url: str
    log_origin: str
    actor: str
    key_passphrase: bytes | None

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read AKLEDGER_HOME, AKLEDGER_DATABASE_URL, AKLEDGER_LOG_ORIGIN, AKLEDGER_ACTOR and
    AKLEDGER_KEY_PASSPHRASE.

    Raises:
        ConfigError: naming the first setting that is wrong.
    """
    env = os.environ if environ is None else environ
    home = Path(env.get("AKLEDGER_HOME") or DEFAULT_HOME).expanduser()
    if home.exists() and not home.is_dir():
        raise ConfigError("AKLEDGER_HOME", f"{home} exists and is not a directory")
    url = env.get("AKLEDGER_DATABASE_URL") or f"sqlite:///{(home / 'ledger.sqlite3').resolve()}"
    if not (url.startswith("sqlite:///") or url.startswith("postgresql")):
        raise ConfigError(
            "AKLEDGER_DATABASE_URL",
            f"must be sqlite:///PATH or postgresql+psycopg2://..., got {url.split(':', 1)[0]}:...",
        )
    if url.startswith("postgresql") and not url.startswith("postgresql+psycopg2://"):
        raise ConfigError("AKLEDGER_DATABASE_URL", "PostgreSQL URLs must use postgresql+psycopg2://")
    origin = env.get("AKLEDGER_LOG_ORIGIN") or DEFAULT_ORIGIN
    if not _ORIGIN_RE.match(origin):
        raise ConfigError("AKLEDGER_LOG_ORIGIN", "must be one word with no spaces or '+'")
    actor = env.get("AKLEDGER_ACTOR") or "cli"
    if not _HANDLE_RE.match(actor):
        raise ConfigError(
            "AKLEDGER_ACTOR",
            f"{actor!r} is not a principal's name (lower-case letters, digits, '.', '_', '-')",
        )
    passphrase = env.get("AKLEDGER_KEY_PASSPHRASE")
    return Settings(
        home=home,
        database_url=url,
        log_origin=origin,
        actor=actor,
        key_passphrase=passphrase.encode("utf-8") if passphrase else None,
    )
