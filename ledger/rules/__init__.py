"""Appendix AK rules as data: each row cites its clause; code that applies a table lives elsewhere.

- ``thresholds``: Testing Issue Thresholds (Tables 13.2, 13.3, 20.1), which table applies where
  (catalogue 5.4) and the counting rules T1-T20 (catalogue 5.5).
- ``routes``: the decision, dispute and referral routes R1-R44 (catalogue section 4).
- ``deadlines``: the time rules TR1-TR37 (catalogue section 9) and Work Off Plan due dates (§15.1).
- ``document_types``: every document and notice type with its clauses, producer and recipients
  (catalogue sections 2.7-2.9 and 3.1).
- ``phase_kinds``: the Test Phases and how each is keyed, the §12.5 Entry Criteria, Test Stages.
- ``phase_transitions``: a Test Phase's statuses and the commands allowed from each.

Clause references are strings in one form: ``"13.26"``, ``"15.1(a)"``, ``"20.33(a)(iv)"``,
``"20.12A"``, ``"Table 13.1 #2A"``, ``"Table 10.1"``. Canonical numbers are the new ones where the
text shows a renumbering (``~~5.7~~5.6`` is ``"5.6"``; catalogue A1, A48).
"""
