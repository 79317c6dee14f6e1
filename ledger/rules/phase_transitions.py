"""A Test Phase's life as data: its statuses, the commands on it, and ``TRANSITIONS`` (which
statuses each command is allowed from, the status it leads to, the clauses its event cites):
planned -> entered (§12.1, §12.5) -> Test Stages (§12.4) -> exit proposed (§9.4, §13.18) -> TCCs
(A28, §15.2) -> completion determined, or continuation directed (§13.19).

Applied by ``ledger.phases`` (``TestPhase``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PhaseStatus(StrEnum):
    PLANNED = "planned"
    ENTERED = "entered"
    EXIT_PROPOSED = "exit_proposed"
    CONTINUING = "continuing"  # the Panel directed that the phase continue (§13.19)
    COMPLETED = "completed"


class PhaseCommand(StrEnum):
    RECORD_ENTRY_CRITERION = "record_entry_criterion"
    ENTER = "enter"
    ENTER_STAGE = "enter_stage"
    EXIT_STAGE = "exit_stage"
    PROPOSE_EXIT = "propose_exit"
    REVIEW_EVIDENCE_WITH_TAG = "review_evidence_with_tag"
    ISSUE_TCC = "issue_tcc"
    REVOKE_TCC = "revoke_tcc"
    REINSTATE_TCC = "reinstate_tcc"
    DETERMINE_COMPLETION = "determine_completion"
    DIRECT_CONTINUATION = "direct_continuation"

@dataclass(frozen=True)
class Transition:
    """Which statuses a command is allowed from, the status it leads to (None: unchanged), and the
    clauses its event cites by default (``sit_clauses`` instead, for SIT phases, if given)."""

    allowed_from: tuple[PhaseStatus, ...]
    to: PhaseStatus | None
    clauses: tuple[str, ...]
    sit_clauses: tuple[str, ...] = ()


_P, _C = PhaseStatus, PhaseCommand
_TESTING = (_P.ENTERED, _P.CONTINUING)
_CERTIFIED = (_P.EXIT_PROPOSED, _P.CONTINUING, _P.COMPLETED)
TRANSITIONS: dict[PhaseCommand, Transition] = {
    _C.RECORD_ENTRY_CRITERION: Transition(tuple(PhaseStatus), None, ("12.5",)),
    _C.ENTER: Transition((_P.PLANNED,), _P.ENTERED, ("12.1", "12.5")),
    _C.ENTER_STAGE: Transition(_TESTING, None, ("12.4",)),
    _C.EXIT_STAGE: Transition((*_TESTING, _P.EXIT_PROPOSED), None, ("12.4",)),
    _C.PROPOSE_EXIT: Transition(_TESTING, _P.EXIT_PROPOSED, ("9.4",), ("9.4", "9.7", "13.18", "13.19")),
    _C.REVIEW_EVIDENCE_WITH_TAG: Transition((_P.EXIT_PROPOSED,), None, ("13.18(c)",)),
    _C.ISSUE_TCC: Transition((_P.EXIT_PROPOSED, _P.COMPLETED), None, ("Table 1.1", "12.9(i)")),
    _C.REVOKE_TCC: Transition(_CERTIFIED, None, ("15.2",)),
    _C.REINSTATE_TCC: Transition(_CERTIFIED, None, ("15.2",)),
    _C.DETERMINE_COMPLETION: Transition((_P.EXIT_PROPOSED,), _P.COMPLETED, ("12.1",), ("13.18", "13.19")),
    _C.DIRECT_CONTINUATION: Transition((_P.EXIT_PROPOSED,), _P.CONTINUING, ("12.1",), ("13.19",)),
}
