"""Errors of the dossier export: bad input names the field (HTTP 422, CLI exit 2)."""

from __future__ import annotations

from ledger.errors import InvalidFieldError


class DossierInputError(InvalidFieldError):
    """A dossier cannot be exported as asked: ``field`` (redact, preset, as_of_position) says
    which argument and ``reason`` why. Nothing is written."""
