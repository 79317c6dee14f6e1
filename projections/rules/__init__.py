"""The Appendix AK rules engine: pure, table-driven functions over plain facts (issue 5 item 3).

``facts``: the frozen dataclasses a read model fills; ``extant``: which Testing Issues are extant
for a count (T1-T20); ``thresholds``: counts against Tables 13.2, 13.3 and 20.1;
``execution_criteria`` and ``exit_criteria``: the PIT and SIT Exit Criteria (§12.9, Table 13.1).
Every result names its clause and the fact ids that justify it.
"""
