"""The bodies and parties that raise, refer, decide or are notified in Appendix AK routes."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role named in Appendix AK (catalogue section 1).

    ``SOS`` is the Secretary of State; ``AUTHORITY`` is Ofgem; ``SUPPLIER`` is a Supplier Party;
    ``TESTING_PARTICIPANT`` is any participant in testing (§2.3, SEC X11.8): a class of parties,
    not a role a principal is given. ``ADMIN`` is not an Appendix AK body: it manages the
    ledger's principals (issue 3 item 5) and records nothing of the testing itself.
    """

    DCC = "dcc"
    DCC_SERVICE_PROVIDER = "dcc_service_provider"
    TAG = "tag"
    TAB = "tab"
    PANEL = "panel"
    SOS = "sos"
    AUTHORITY = "authority"
    SUPPLIER = "supplier"
    SIT_AUDITOR = "sit_auditor"
    TESTING_PARTICIPANT = "testing_participant"
    ADMIN = "admin"
