"""Documents and notices by type: one row per type, with its clauses, who produces or gives it
and who receives it (catalogue sections 2.7-2.9 and 3.1, and the notices of sections 1 and 3).

``DOCUMENT_TYPES`` and ``NOTICE_TYPES`` are applied by ``ledger.documents`` and ``ledger.notices``
(every event defaults its clauses to its type's row).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.rules.roles import Role


class Audience(StrEnum):
    """Recipients the text names that hold no role in the ledger (catalogue section 1, "Others")."""

    PARTIES = "parties"  # SEC Parties (§13.18(a), §13.20, §19.3, §20.22, §20.43)
    USERS = "users"
    STAKEHOLDERS = "stakeholders"  # "relevant stakeholders" (§3.1, §4.3, §20.20)
    RELEVANT_PERSONS = "relevant_persons"  # §4.2, §6.4(d)
    CODE_ADMINISTRATOR = "code_administrator"  # §4.3
    SECAS = "secas"  # §20.10: publishes the DMCT Schedule on the SEC Website
    PERSONS_DIRECTED_BY_SOS = "persons_directed_by_sos"  # §9.8
    PUBLIC = "public"  # anyone: published on the DCC Website (§4.3, §7.7, §12.7, §20.11, Table 10.1)


class DocumentType(StrEnum):
    """Every document the catalogue lists (2.7 documents, 2.8, 2.9, 3.1); rows in DOCUMENT_TYPES."""

    TEST_PLAN_AND_SCHEDULE = "test_plan_and_schedule"
    TEST_EXECUTION_SCHEDULE = "test_execution_schedule"
    TEST_SPECIFICATION = "test_specification"
    TEST_TRACEABILITY_MATRIX = "test_traceability_matrix"
    SECURITY_TRACEABILITY_MATRIX = "security_traceability_matrix"
    TEST_HEATMAP = "test_heatmap"
    READINESS_CONFIRMATION = "readiness_confirmation"
    APPROVAL_TO_PROCEED_CERTIFICATE = "approval_to_proceed_certificate"
    TEST_COMPLETION_CERTIFICATE = "test_completion_certificate"
    WORK_OFF_PLAN = "work_off_plan"
    CORRECTION_PLAN = "correction_plan"
    DEPTH_AND_BREADTH_OF_REGRESSION_TESTING = "depth_and_breadth_of_regression_testing"
    DEPTH_AND_BREADTH_OF_SIT = "depth_and_breadth_of_sit"
    SIT_APPROACH_RELEASE = "sit_approach_release"
    SVTAD = "svtad"
    UTSAD = "utsad"
    MTAD = "mtad"
    SCTAD = "sctad"
    USER_TESTING_SERVICES_GUIDANCE = "user_testing_services_guidance"
    DMCT_STATUS_LIST = "dmct_status_list"
    DMCT_SCHEDULE = "dmct_schedule"
    UPLIFT_DCC_TAD = "uplift_dcc_tad"
    UPLIFT_MANDATED_USER_TESTING_DOCUMENT = "uplift_mandated_user_testing_document"
    UPLIFT_MILESTONE_PLAN = "uplift_milestone_plan"
    SERVICE_PROVIDER_TEST_REPORT = "service_provider_test_report"
    DCC_ASSURANCE_REPORT = "dcc_assurance_report"
    SIT_COMPLETION_REPORT = "sit_completion_report"
    COMPLETION_REPORT = "completion_report"
    INTERFACE_TEST_COMPLETION_REPORT = "interface_test_completion_report"
    SIT_AUDITOR_REPORT = "sit_auditor_report"
    SIT_AUDITOR_INTERIM_OPINION = "sit_auditor_interim_opinion"
    PRODUCTION_PROMOTION_REPORT = "production_promotion_report"
    WEEKLY_TEST_EXECUTION_REPORT = "weekly_test_execution_report"
    RELEASE_NOTE = "release_note"
    TESTING_ISSUE_LOG = "testing_issue_log"
    DRAFT_DMCT_TESTING_REPORT_SUCCESSFUL = "draft_dmct_testing_report_successful"
    DRAFT_DMCT_TESTING_REPORT_UNSUCCESSFUL = "draft_dmct_testing_report_unsuccessful"
    FINAL_DMCT_TESTING_REPORT = "final_dmct_testing_report"
    DMCT_EPCL_REPORT = "dmct_epcl_report"
    UPLIFT_COMPLETION_REPORT = "uplift_completion_report"
    TAD_SUBMISSION = "tad_submission"
    TAD_CONSULTATION = "tad_consultation"
    MODIFICATION_CONSULTATION = "modification_consultation"
    CONSULTATION_RESPONSE = "consultation_response"
    MODIFICATION_CONSULTATION_SUMMARY = "modification_consultation_summary"
    REPORT_FORMAT_DISCUSSION_RECORD = "report_format_discussion_record"
    SIT_AUDITOR_CONTRACT_AWARD = "sit_auditor_contract_award"
    NON_ECONOMIC_DMC_PROPOSAL = "non_economic_dmc_proposal"
    CODE_CHANGE_TESTING_APPROACH = "code_change_testing_approach"
    FIRMWARE_OR_CONFIGURATION_RECOMMENDATION = "firmware_or_configuration_recommendation"


class NoticeType(StrEnum):
    """Every notice, notification and publication notice the text requires; rows in NOTICE_TYPES."""

    MINOR_MODIFICATION_INTENDED = "minor_modification_intended"
    MODIFICATION_EFFECTIVE = "modification_effective"
    SOS_DIRECTION_ON_TAD = "sos_direction_on_tad"
    TAD_APPROVED = "tad_approved"
    SOS_MODIFICATION_DIRECTION = "sos_modification_direction"
    SOS_DIRECTION_AGAINST_MODIFICATION = "sos_direction_against_modification"
    SIT_AUDITOR_IDENTITY = "sit_auditor_identity"
    SECURITY_ISSUES_OUTSTANDING = "security_issues_outstanding"
    INTERFACE_CHANGE_MATERIALITY = "interface_change_materiality"
    REGRESSION_CHANGE_DECISION = "regression_change_decision"
    PRODUCTION_FIX_DEPLOYMENT = "production_fix_deployment"
    ASSURANCE_REPORT_TO_TAG = "assurance_report_to_tag"
    SUPPORTING_DOCUMENTS_TO_TAG_MEMBER = "supporting_documents_to_tag_member"
    DEVICE_INFORMATION_REQUEST = "device_information_request"
    DEVICE_CHANGE = "device_change"
    DMC_SELECTION = "dmc_selection"
    DMC_DESELECTION = "dmc_deselection"
    DEVICE_MODEL_CHANGE = "device_model_change"
    SIT_COMPLETION = "sit_completion"
    COMPLETION_REPORT_PROVISION = "completion_report_provision"
    REPORT_REDACTION_DIRECTION = "report_redaction_direction"
    COMPLETION_REPORT_RELEASE = "completion_report_release"
    WORK_OFF_PLAN_RESOLUTION = "work_off_plan_resolution"
    PRODUCTION_ISSUE_RESOLUTION = "production_issue_resolution"
    DMCT_DATA_REQUEST = "dmct_data_request"
    DMCT_DATA_UNCHANGED = "dmct_data_unchanged"
    DMCT_DATA_UNAVAILABLE_EXCLUSION = "dmct_data_unavailable_exclusion"
    DMCT_SCHEDULE_PUBLICATION = "dmct_schedule_publication"
    DMCT_SCHEDULE_EXCLUSION = "dmct_schedule_exclusion"
    EQUIVALENCE_REFERRAL_TO_SUPPLIERS = "equivalence_referral_to_suppliers"
    MIGRATION_TESTING_ROUTE = "migration_testing_route"
    DMCT_DEVICES_INSUFFICIENT = "dmct_devices_insufficient"
    DMCT_ISSUE_OPTION_RECOMMENDATION = "dmct_issue_option_recommendation"
    DMCT_PAUSE_OR_RECOMMENCEMENT = "dmct_pause_or_recommencement"
    INTERNAL_SYSTEM_CHANGE_PATH = "internal_system_change_path"
    DRAFT_DMCT_REPORT_AVAILABLE = "draft_dmct_report_available"
    DMCT_TESTING_CONTINUATION = "dmct_testing_continuation"
    SUPPLIER_NON_REFERRAL = "supplier_non_referral"
    DMCT_EPCL_REPORT_PUBLICATION = "dmct_epcl_report_publication"
    UPLIFT_COMPLETION_REPORT_PUBLICATION = "uplift_completion_report_publication"


@dataclass(frozen=True)
class TypeRow:
    """One row of DOCUMENT_TYPES or NOTICE_TYPES: the clauses, who produces (or gives) it, who
    receives it. An empty ``received_by`` means the text names no recipient."""

    clauses: tuple[str, ...]
    produced_by: tuple[Role | Audience, ...]
    received_by: tuple[Role | Audience, ...]


DCC, SP, TAG, TAB, PANEL, SOS = Role.DCC, Role.DCC_SERVICE_PROVIDER, Role.TAG, Role.TAB, Role.PANEL, Role.SOS
AUTH, SUP, TP, AUDITOR = Role.AUTHORITY, Role.SUPPLIER, Role.TESTING_PARTICIPANT, Role.SIT_AUDITOR
PARTIES, STAKE, PUBLIC = Audience.PARTIES, Audience.STAKEHOLDERS, Audience.PUBLIC
_D, _N = DocumentType, NoticeType
_ALL_NOTIFIED = (PANEL, SOS, AUTH, PARTIES)  # §20.43, §21.13

# "Table 1.1" cites a definition. Catalogue sections 2.7-2.9 and 3.1, checked against the text.
DOCUMENT_TYPES: dict[DocumentType, TypeRow] = {
    _D.TEST_PLAN_AND_SCHEDULE: TypeRow(("9.1", "12.5(a)", "18.2(b)"), (SP,), (DCC,)),
    _D.TEST_EXECUTION_SCHEDULE: TypeRow(("8.1(h)",), (DCC,), ()),
    _D.TEST_SPECIFICATION: TypeRow(("8.1(e)", "12.5(c)"), (DCC,), ()),
    _D.TEST_TRACEABILITY_MATRIX: TypeRow(("Table 1.1", "11.1", "11.2", "11.3", "12.5(c)"), (DCC,), ()),
    _D.SECURITY_TRACEABILITY_MATRIX: TypeRow(("6.4(c)",), (DCC,), ()),
    _D.TEST_HEATMAP: TypeRow(("Table 13.1 #7", "16.3", "19.4(b)"), (DCC,), ()),
    _D.READINESS_CONFIRMATION: TypeRow(("12.5(d)", "8.4"), (DCC,), ()),
    _D.APPROVAL_TO_PROCEED_CERTIFICATE: TypeRow(("12.5(f)",), (DCC,), ()),
    _D.TEST_COMPLETION_CERTIFICATE: TypeRow(
        ("Table 1.1", "12.5(b)", "12.9(i)", "15.1", "15.2"), (DCC,), (SP,)),
    _D.WORK_OFF_PLAN: TypeRow(("Table 1.1", "12.9(g)", "12.9(h)", "15.1", "15.2"), (DCC, SP), (TAB,)),
    _D.CORRECTION_PLAN: TypeRow(("15.2",), (DCC,), (TAB,)),
    _D.DEPTH_AND_BREADTH_OF_REGRESSION_TESTING: TypeRow(("7.4(d)", "7.6", "7.7"), (DCC,), (TAG, PUBLIC)),
    _D.DEPTH_AND_BREADTH_OF_SIT: TypeRow(("12.5(e)", "12.7", "12.8"), (DCC,), (TAG, PUBLIC)),
    _D.SIT_APPROACH_RELEASE: TypeRow(("13.13",), (DCC,), (TAG,)),
    _D.SVTAD: TypeRow(("4.1", "4.2", "4.3"), (DCC,), (STAKE, Audience.CODE_ADMINISTRATOR, PUBLIC)),
    _D.UTSAD: TypeRow(("Table 1.1", "3.1", "3.2", "3.4", "12.3"), (DCC,), (SOS,)),
    _D.MTAD: TypeRow(("Table 1.1", "3.1", "3.2", "3.4", "12.3"), (DCC,), (SOS,)),
    _D.SCTAD: TypeRow(("Table 1.1", "3.1", "3.2", "3.4", "12.3"), (DCC,), (SOS,)),
    _D.USER_TESTING_SERVICES_GUIDANCE: TypeRow(("Table 10.1",), (DCC,), (TP, PUBLIC)),
    _D.DMCT_STATUS_LIST: TypeRow(("Table 1.1", "20.8"), (DCC,), (PUBLIC,)),
    _D.DMCT_SCHEDULE: TypeRow(("20.9", "20.10"), (DCC,), (SUP, PANEL, AUTH, SOS, Audience.SECAS, PUBLIC)),
    _D.UPLIFT_DCC_TAD: TypeRow(("21.3", "21.4", "21.6"), (DCC,), (TAG,)),
    _D.UPLIFT_MANDATED_USER_TESTING_DOCUMENT: TypeRow(("21.7", "21.8", "21.10"), (DCC,), (SOS,)),
    _D.UPLIFT_MILESTONE_PLAN: TypeRow(("21.5",), (DCC,), (PUBLIC,)),
    _D.SERVICE_PROVIDER_TEST_REPORT: TypeRow(("9.4", "9.6"), (SP,), (DCC,)),
    _D.DCC_ASSURANCE_REPORT: TypeRow(("9.5", "9.6", "Table 13.1 #8"), (DCC,), (TAB, TAG)),
    _D.SIT_COMPLETION_REPORT: TypeRow(
        ("9.7", "13.16", "13.18(b)", "13.20", "Table 10.1"), (DCC,), (TAG, PANEL, SOS, AUTH, PARTIES)),
    _D.COMPLETION_REPORT: TypeRow(("Table 1.1", "16.4"), (DCC,), ()),
    _D.INTERFACE_TEST_COMPLETION_REPORT: TypeRow(("Table 10.1",), (DCC,), (PANEL, TAG, PUBLIC)),
    _D.SIT_AUDITOR_REPORT: TypeRow(
        ("9.7", "19.4", "19.7", "Table 10.1"), (AUDITOR, DCC), (PANEL, TAG, PARTIES)),
    _D.SIT_AUDITOR_INTERIM_OPINION: TypeRow(("19.5",), (AUDITOR,), (DCC, TAG)),
    _D.PRODUCTION_PROMOTION_REPORT: TypeRow(("9.8",), (DCC,), (Audience.PERSONS_DIRECTED_BY_SOS,)),
    _D.WEEKLY_TEST_EXECUTION_REPORT: TypeRow(("16.1", "16.2", "16.3"), (DCC,), (PANEL, SOS)),
    _D.RELEASE_NOTE: TypeRow(("9.10",), (DCC,), (TP,)),
    _D.TESTING_ISSUE_LOG: TypeRow(("9.2", "12.9(e)", "Table 13.1 #5"), (DCC,), ()),
    _D.DRAFT_DMCT_TESTING_REPORT_SUCCESSFUL: TypeRow(("20.32", "20.34", "20.36"), (DCC,), (SUP,)),
    _D.DRAFT_DMCT_TESTING_REPORT_UNSUCCESSFUL: TypeRow(("20.33", "20.35", "20.36"), (DCC,), (SUP,)),
    _D.FINAL_DMCT_TESTING_REPORT: TypeRow(("20.39", "20.40"), (DCC,), ()),
    _D.DMCT_EPCL_REPORT: TypeRow(("20.41", "20.42", "20.43"), (DCC,), (PUBLIC, *_ALL_NOTIFIED)),
    _D.UPLIFT_COMPLETION_REPORT: TypeRow(("21.11", "21.12", "21.13"), (DCC,), (TAB, TAG, PUBLIC)),
    _D.TAD_SUBMISSION: TypeRow(("3.2", "21.8"), (DCC,), (SOS,)),
    _D.TAD_CONSULTATION: TypeRow(("3.1", "21.7"), (DCC,), (TAG, PARTIES, STAKE)),
    _D.MODIFICATION_CONSULTATION: TypeRow(
        ("4.1", "4.2"), (DCC,), (PARTIES, Audience.RELEVANT_PERSONS, TAG, AUTH, SOS)),
    _D.CONSULTATION_RESPONSE: TypeRow(
        ("3.1", "3.2(b)", "4.2(a)", "21.8(b)"), (PARTIES, TAG, STAKE, AUTH, SOS), (DCC,)),
    _D.MODIFICATION_CONSULTATION_SUMMARY: TypeRow(("4.2(a)",), (DCC,), (SOS,)),
    _D.REPORT_FORMAT_DISCUSSION_RECORD: TypeRow(("9.9", "10.2"), (DCC,), (TAG,)),
    _D.SIT_AUDITOR_CONTRACT_AWARD: TypeRow(("19.1", "19.2"), (DCC,), ()),
    _D.NON_ECONOMIC_DMC_PROPOSAL: TypeRow(("20.7",), (DCC,), (SOS,)),
    _D.CODE_CHANGE_TESTING_APPROACH: TypeRow(("20.23",), (DCC,), (TAG,)),
    _D.FIRMWARE_OR_CONFIGURATION_RECOMMENDATION: TypeRow(("20.25",), (DCC,), (SOS,)),
}

NOTICE_TYPES: dict[NoticeType, TypeRow] = {
    _N.MINOR_MODIFICATION_INTENDED: TypeRow(("4.3",), (DCC,), (STAKE, Audience.CODE_ADMINISTRATOR, PUBLIC)),
    _N.MODIFICATION_EFFECTIVE: TypeRow(("4.3",), (DCC,), (STAKE, Audience.CODE_ADMINISTRATOR, PUBLIC)),
    _N.SOS_DIRECTION_ON_TAD: TypeRow(("3.3", "21.9"), (SOS,), (DCC,)),
    _N.TAD_APPROVED: TypeRow(("3.4", "12.3", "21.10"), (SOS,), (DCC,)),
    _N.SOS_MODIFICATION_DIRECTION: TypeRow(("4.1",), (SOS,), (DCC,)),
    _N.SOS_DIRECTION_AGAINST_MODIFICATION: TypeRow(("4.2(b)",), (SOS,), (DCC,)),
    _N.SIT_AUDITOR_IDENTITY: TypeRow(("19.3", "1.3"), (DCC,), (AUTH, PANEL, PARTIES, SOS)),  # 1.3: DCC's
    _N.SECURITY_ISSUES_OUTSTANDING: TypeRow(("6.4(d)",), (DCC,), (Audience.RELEVANT_PERSONS,)),
    _N.INTERFACE_CHANGE_MATERIALITY: TypeRow(("7.3",), (DCC,), (SOS,)),
    _N.REGRESSION_CHANGE_DECISION: TypeRow(("7.5",), (DCC,), (TAG,)),
    _N.PRODUCTION_FIX_DEPLOYMENT: TypeRow(("8.5",), (DCC,), (TP,)),
    _N.ASSURANCE_REPORT_TO_TAG: TypeRow(("9.6",), (DCC,), (TAG,)),
    _N.SUPPORTING_DOCUMENTS_TO_TAG_MEMBER: TypeRow(("9.6",), (DCC,), (TAG,)),
    _N.DEVICE_INFORMATION_REQUEST: TypeRow(("13.1",), (DCC,), (SUP,)),
    _N.DEVICE_CHANGE: TypeRow(("13.1(f)",), (SUP,), (DCC,)),
    _N.DMC_SELECTION: TypeRow(("13.4", "13.11"), (DCC,), (SUP,)),
    _N.DMC_DESELECTION: TypeRow(("13.6",), (DCC,), (TAG, SUP)),
    _N.DEVICE_MODEL_CHANGE: TypeRow(("13.11", "16.1"), (DCC,), (PANEL, SOS)),
    _N.SIT_COMPLETION: TypeRow(("13.18(a)",), (DCC,), (SOS, AUTH, PANEL, PARTIES)),
    _N.COMPLETION_REPORT_PROVISION: TypeRow(("13.18(b)",), (DCC,), (AUTH, PANEL, SOS)),
    _N.REPORT_REDACTION_DIRECTION: TypeRow(("13.20",), (PANEL,), (DCC,)),
    _N.COMPLETION_REPORT_RELEASE: TypeRow(("13.20",), (DCC,), (PARTIES,)),
    _N.WORK_OFF_PLAN_RESOLUTION: TypeRow(("15.2",), (DCC,), (TAG, PANEL)),
    _N.PRODUCTION_ISSUE_RESOLUTION: TypeRow(("15.2",), (DCC,), (PANEL,)),
    _N.DMCT_DATA_REQUEST: TypeRow(("20.2",), (DCC,), (SUP,)),
    _N.DMCT_DATA_UNCHANGED: TypeRow(("20.3",), (SUP,), (DCC,)),
    _N.DMCT_DATA_UNAVAILABLE_EXCLUSION: TypeRow(("20.5",), (DCC,), (SUP,)),
    _N.DMCT_SCHEDULE_PUBLICATION: TypeRow(("20.10",), (DCC,), (SUP, PANEL, AUTH, SOS, Audience.SECAS)),
    _N.DMCT_SCHEDULE_EXCLUSION: TypeRow(("20.11",), (DCC,), (SUP, PUBLIC)),
    _N.EQUIVALENCE_REFERRAL_TO_SUPPLIERS: TypeRow(("20.12A",), (DCC,), (SUP,)),
    _N.MIGRATION_TESTING_ROUTE: TypeRow(("20.14",), (DCC,), (TAG,)),
    _N.DMCT_DEVICES_INSUFFICIENT: TypeRow(("20.19",), (DCC,), (SUP, PANEL, AUTH, SOS)),
    _N.DMCT_ISSUE_OPTION_RECOMMENDATION: TypeRow(("20.20",), (DCC,), (STAKE, PANEL, AUTH, SOS)),
    _N.DMCT_PAUSE_OR_RECOMMENCEMENT: TypeRow(("20.21", "16.1"), (DCC,), (PANEL, SOS)),
    _N.INTERNAL_SYSTEM_CHANGE_PATH: TypeRow(("20.22",), (DCC,), (PARTIES, PANEL, AUTH, SOS)),
    _N.DRAFT_DMCT_REPORT_AVAILABLE: TypeRow(("20.36",), (DCC,), (SUP,)),
    _N.DMCT_TESTING_CONTINUATION: TypeRow(("20.38(c)",), (DCC,), (SUP,)),
    _N.SUPPLIER_NON_REFERRAL: TypeRow(("20.39(a)",), (SUP,), (DCC,)),
    _N.DMCT_EPCL_REPORT_PUBLICATION: TypeRow(("20.43",), (DCC,), _ALL_NOTIFIED),
    _N.UPLIFT_COMPLETION_REPORT_PUBLICATION: TypeRow(("21.13",), (DCC,), _ALL_NOTIFIED),
}
