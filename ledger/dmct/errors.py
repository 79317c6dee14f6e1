"""The error of the DMCT Process aggregates (``ledger.dmct.dmc``, ``ledger.dmct.entry``)."""

from __future__ import annotations

from ledger.errors import InvalidFieldError


class InvalidDmctEventError(InvalidFieldError):
    """A DMCT command on a DMC or a planned EPCL entry that cannot be recorded; nothing is written.

    ``field`` names the offending argument, or ``status`` when the DMCT Status List status forbids
    the command (``ledger.rules.dmct_statuses.TRANSITIONS``): the message then names the current
    status, the statuses the command needs and the commands allowed next. The message is
    ``"{field}: {reason}"`` and names the DMC or entry.
    """
