"""Reports computed from the ledger as of a position (issue 8 item 2): each clause item of what
Appendix AK says a report shall include, answered from the facts, and the signed checkpoint the
answer was computed against (``projections.reports.model``).

- ``sit-completion`` (a phase): the SIT Completion Report evidence pack (§9.4, §9.5, §13.16,
  Table 13.1, §13.25, §15.1, TTM and heatmap), ``projections.reports.sit``;
- ``sit-auditor-checklist`` (a phase): §19.4(a)-(f), ``projections.reports.sit``;
- ``weekly`` (a week): the weekly test execution report, §16.1-16.3, ``projections.reports.weekly``;
- ``dmct-draft`` (a planned EPCL entry): the draft DMCT Testing Report, §20.34/§20.35,
  ``projections.reports.dmct``.
"""

from projections.reports.model import CheckpointRef, Item, ItemState, Report, Section, checkpoint_covering

__all__ = ["CheckpointRef", "Item", "ItemState", "Report", "Section", "checkpoint_covering"]
