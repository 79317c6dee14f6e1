"""Errors raised by lookups in the rule tables."""

from __future__ import annotations

from ledger.errors import LedgerError


class RuleNotFoundError(LedgerError, LookupError):
    """No row of a rule table matches the lookup; the message names the table and the key."""
