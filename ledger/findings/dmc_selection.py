"""Compliance findings on DMC selection and de-selection: recorded, then flagged (§13.5, §13.8).

A de-selection decided without the TAG having been consulted on it since the DMC was last selected
(§13.5: "the DCC shall consult with the TAG on de-selection"); a DMC de-selected again after the
SoS determined it should not be omitted, or left de-selected after that determination with no
re-selection (§13.8: "the DCC shall not de-select it"). Pure functions of the recorded aggregate.
"""

from __future__ import annotations

from collections.abc import Iterator

from ledger.dmc_selection import DmcAct, DmcSelection
from ledger.findings import Finding


def _acts(selection: DmcSelection, dmc: str, kind: str) -> list[DmcAct]:
    return [a for a in selection.acts if a.dmc == dmc and a.kind == kind]


def deselected_without_tag_consultation(selection: DmcSelection) -> Iterator[Finding]:
    """§13.5: each de-selection needs a TAG consultation after the DMC's last selection before it."""
    for deselection in [a for a in selection.acts if a.kind == "DmcDeselected"]:
        dmc, at = deselection.dmc, deselection.version
        selected_at = max(a.version for a in _acts(selection, dmc, "DmcsSelected") if a.version < at)
        consulted = [a for a in _acts(selection, dmc, "TagConsultedOnDeselection")
                     if selected_at < a.version < at]
        if not consulted:
            yield Finding("13.5", f"{selection.label}: DMC {dmc!r} was de-selected without consulting "
                          "the TAG", (selection.event_id(at),))


def deselected_against_sos_determination(selection: DmcSelection) -> Iterator[Finding]:
    """§13.8: after an SoS determination that the DMC should not be omitted, it is not de-selected."""
    for determination in [a for a in selection.acts if a.kind == "SosDeselectionDetermined"]:
        if determination.detail != "not_omit":
            continue
        dmc, at = determination.dmc, determination.version
        again = [a for a in _acts(selection, dmc, "DmcDeselected") if a.version > at]
        for deselection in again:
            yield Finding("13.8", f"{selection.label}: DMC {dmc!r} was de-selected after the SoS "
                          f"determined (matter {determination.matter_id}) it should not be omitted",
                          (selection.event_id(at), selection.event_id(deselection.version)))
        reselected = any(a.version > at for a in _acts(selection, dmc, "DmcsSelected"))
        if not again and not reselected and dmc not in selection.selected:
            yield Finding("13.8", f"{selection.label}: DMC {dmc!r} remains de-selected although the SoS "
                          f"determined (matter {determination.matter_id}) it should not be omitted",
                          (selection.event_id(at),))


def dmc_selection_findings(selection: DmcSelection) -> list[Finding]:
    """Every finding on ``selection``."""
    return [*deselected_without_tag_consultation(selection), *deselected_against_sos_determination(selection)]


__all__ = [
    "deselected_against_sos_determination",
    "deselected_without_tag_consultation",
    "dmc_selection_findings",
]
