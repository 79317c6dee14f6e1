"""Settings from the environment: wrong ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.config import load_settings
from ledger.errors import ConfigError


def test_defaults_put_sqlite_and_keys_under_home(tmp_path: Path) -> None:
    s = load_settings({"AKLEDGER_HOME": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'ledger.sqlite3'}"
    assert s.keys_dir == tmp_path / "keys"
    assert s.actor == "cli"


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"AKLEDGER_DATABASE_URL": "mysql://x/y"}, "AKLEDGER_DATABASE_URL"),
        ({"AKLEDGER_DATABASE_URL": "postgresql+asyncpg://x/y"}, "AKLEDGER_DATABASE_URL"),
        ({"AKLEDGER_LOG_ORIGIN": "has space"}, "AKLEDGER_LOG_ORIGIN"),
        ({"AKLEDGER_LOG_ORIGIN": "a+b"}, "AKLEDGER_LOG_ORIGIN"),
        ({"AKLEDGER_ACTOR": "  "}, "AKLEDGER_ACTOR"),
        ({"AKLEDGER_ACTOR": "Jane Smith"}, "AKLEDGER_ACTOR"),
    ],
)
def test_a_wrong_setting_is_named(env: dict[str, str], setting: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"AKLEDGER_HOME": str(tmp_path), **env})
    assert raised.value.setting == setting
    assert str(raised.value).startswith(setting)


def test_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ConfigError, match="AKLEDGER_HOME"):
        load_settings({"AKLEDGER_HOME": str(path)})
