"""What ``verify`` reports: the first fault found, and counts of what was checked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """The first thing found wrong. ``index`` is the leaf index where there is one."""

    kind: str  # changed | missing | inserted | reordered | malformed | signature |
    #             unknown-key | checkpoint | inconsistent | truncated | node | key-chain
    message: str
    index: int | None = None
    notification_id: int | None = None


@dataclass
class Report:
    tree_size: int = 0
    events: int = 0
    pending: int = 0
    checkpoints: int = 0
    signatures: int = 0  # events whose signature was checked
    ed25519_verifications: int = 0  # distinct signatures: one per save
    latest_checkpoint: str | None = None
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None


class VerifyFailed(Exception):  # noqa: N818 - internal control flow, carries the Fault
    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message)
        self.fault = fault


@dataclass(frozen=True)
class KeyTopics:
    """The topics of the events that introduce keys (the domain names them, not the log)."""

    genesis: str
    rotation: str



def unintroduced(key_id: str, nid: int) -> Fault:
    return Fault(
        "key-chain", f"key {key_id} is said to be introduced by notification {nid}, which is "
        "not a stored event", None, nid,
    )


def at(index: int | None, nid: int) -> str:
    """A position for messages: the leaf (and notification), or the notification alone."""
    return f"notification {nid}" if index is None else f"leaf {index} (notification {nid})"
