"""Errors the rules engine raises when the facts it is given cannot answer the question asked."""

from __future__ import annotations

from projections.errors import ProjectionError


class RulesEngineError(ProjectionError, ValueError):
    """The facts do not fit the evaluation asked for (e.g. no phase fact for the scope id, or a
    threshold context that does not apply to the phase); the message names what is missing."""
