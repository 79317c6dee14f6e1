"""Ids of aggregates that have no natural key of their own: a caller's reference, or random.

Matters, documents and notices are not keyed by anything in Appendix AK, so by default each gets
a random id. A caller may give one a ``reference`` (a referral number, a document register
reference, a notice number): its id then derives from that reference, so a later command (and a
later line of an imported file) can address it by the reference alone, and recording the same
reference twice is refused as a duplicate instead of creating a second aggregate.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,127}$")


def reference_id(kind: str, reference: str | None) -> UUID:
    """The id of the ``kind`` aggregate called ``reference``; a random id when there is none."""
    return uuid4() if reference is None else uuid5(NAMESPACE_URL, f"akledger:{kind}:{reference}")


def reference_problem(reference: object) -> str | None:
    """Why ``reference`` cannot name an aggregate, or None if it can (None itself can)."""
    if reference is None:
        return None
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        return (f"{reference!r} is not a reference (1-128 letters, digits and . _ / : @ -, "
                "starting with a letter or digit)")
    return None
