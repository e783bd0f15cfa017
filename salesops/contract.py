"""The extract contract (docs/contract.md; the spec is CONTRACT.md) as data.

Everything that reads or writes landing files (the generator, ingestion, tests) takes the
object names, column names, types and domains from here, so the contract lives in one place.

Raw tables keep the source's column names (Salesforce API names, HR contract names) and the
types below; staging models in dbt rename them to snake_case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal[
    "id",  # Salesforce Id: 15 or 18 alphanumeric characters
    "ref",  # a reference to another record's Id (may be empty)
    "string",
    "bool",  # true / false (case-insensitive)
    "datetime",  # ISO 8601, stored as a UTC TIMESTAMP
    "date",  # YYYY-MM-DD
    "amount",  # a number >= 0 (currency amounts, quotas)
    "percent",  # a number in 0..100 (Salesforce Probability)
    "number",  # any number
    "positive",  # a number > 0 (conversion rates)
    "integer",  # a whole number >= 0 (durations, counts)
    "enum",  # one of `values`
    "email",
    "uuid",  # xAPI statement id
    "mbox",  # xAPI actor: mailto:<email>
    "scaled",  # a number in -1..1 (xAPI scaled score)
    "duration",  # ISO 8601 duration (xAPI result.duration)
]

RAW_SCHEMA = "raw"
SYSTEMS = ("crm", "hr", "lms")
SUCCESS_MARKER = "_SUCCESS"

FORECAST_CATEGORIES = ("Pipeline", "BestCase", "Forecast", "Omitted", "Closed")
TASK_SUBTYPES = ("Call", "Email", "Task", "ListEmail", "Cadence")
COURSE_CATEGORIES = ("product", "sales_skills", "compliance", "onboarding")
TERMINATION_TYPES = ("voluntary", "involuntary")

XAPI_VERB_PREFIX = "http://adlnet.gov/expapi/verbs/"
XAPI_VERBS = {
    name: XAPI_VERB_PREFIX + name
    for name in ("registered", "attempted", "completed", "passed", "failed", "voided")
}


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType = "string"
    required: bool = True  # the column must be in the file's header
    not_null: bool = False  # an empty value is a domain violation
    values: tuple[str, ...] = ()  # for enums

    @property
    def sql_type(self) -> str:
        return {
            "bool": "BOOLEAN",
            "datetime": "TIMESTAMP",
            "date": "DATE",
            "amount": "DOUBLE",
            "percent": "DOUBLE",
            "number": "DOUBLE",
            "positive": "DOUBLE",
            "scaled": "DOUBLE",
            "integer": "BIGINT",
        }.get(self.type, "VARCHAR")


@dataclass(frozen=True)
class FileSpec:
    """One file of a drop: where it sits, its fields, and what makes a row unique."""

    system: str
    file_name: str  # name in the drop folder
    table: str  # raw table name (schema `raw`)
    fields: tuple[Field, ...]
    # Two rows of one file with the same values here are ambiguous: both are quarantined.
    unique_key: tuple[str, ...] = ()
    format: Literal["csv", "jsonl"] = "csv"
    description: str = ""

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    @property
    def object_name(self) -> str:
        return self.file_name.rsplit(".", 1)[0]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _f(name: str, type: FieldType = "string", **kw) -> Field:
    return Field(name, type, **kw)


def _opt(name: str, type: FieldType = "string", **kw) -> Field:
    return Field(name, type, required=False, **kw)


ID = _f("Id", "id", not_null=True)
MODSTAMP = _f("SystemModstamp", "datetime", not_null=True)
IS_DELETED = _f("IsDeleted", "bool", not_null=True)
CREATED = _f("CreatedDate", "datetime", not_null=True)

CRM_FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "crm", "User.csv", "crm_user",
        (ID, _f("Name"), _f("Email", "email"), _f("IsActive", "bool", not_null=True),
         _f("ManagerId", "ref"), CREATED, MODSTAMP, _opt("UserRoleId", "ref"), _opt("Title")),
        unique_key=("Id", "SystemModstamp"),
    ),
    FileSpec(
        "crm", "UserRole.csv", "crm_user_role",
        (ID, _f("Name"), _opt("ParentRoleId", "ref")),
        unique_key=("Id",),
    ),
    FileSpec(
        "crm", "Account.csv", "crm_account",
        (ID, _f("Name"), _f("OwnerId", "ref"), CREATED, MODSTAMP, IS_DELETED,
         _opt("Industry"), _opt("BillingCountry"), _opt("AnnualRevenue", "amount"),
         _opt("NumberOfEmployees", "integer")),
        unique_key=("Id", "SystemModstamp"),
    ),
    FileSpec(
        "crm", "Lead.csv", "crm_lead",
        (ID, _f("OwnerId", "ref"), CREATED, _f("Status"), _f("IsConverted", "bool", not_null=True),
         MODSTAMP, IS_DELETED, _opt("LeadSource"), _opt("ConvertedDate", "date"),
         _opt("ConvertedOpportunityId", "ref"), _opt("ConvertedAccountId", "ref"),
         _opt("Email", "email"), _opt("Company")),
        unique_key=("Id", "SystemModstamp"),
    ),
    FileSpec(
        "crm", "Opportunity.csv", "crm_opportunity",
        (ID, _f("AccountId", "ref"), _f("OwnerId", "ref"), _f("StageName"), _f("Amount", "amount"),
         _f("Probability", "percent"),
         _f("ForecastCategory", "enum", values=FORECAST_CATEGORIES),
         _f("IsClosed", "bool", not_null=True), _f("IsWon", "bool", not_null=True),
         _f("CloseDate", "date"), CREATED, MODSTAMP, IS_DELETED,
         _opt("LeadSource"), _opt("Type"), _opt("CurrencyIsoCode"), _opt("NextStep"), _opt("Name")),
        unique_key=("Id", "SystemModstamp"),
    ),
    FileSpec(
        "crm", "OpportunityHistory.csv", "crm_opportunity_history",
        (ID, _f("OpportunityId", "ref"), _f("StageName"), _f("Amount", "amount"),
         _f("Probability", "percent"),
         _f("CloseDate", "date"), _f("ForecastCategory", "enum", values=FORECAST_CATEGORIES),
         CREATED, _opt("CreatedById", "ref")),
        unique_key=("Id",),
    ),
    FileSpec(
        "crm", "Task.csv", "crm_task",
        (ID, _f("OwnerId", "ref"), _f("WhoId", "ref"), _f("WhatId", "ref"),
         _f("TaskSubtype", "enum", values=TASK_SUBTYPES), _f("Status"),
         _f("ActivityDate", "date"), CREATED, MODSTAMP, IS_DELETED, _opt("Type"),
         _opt("CompletedDateTime", "datetime"), _opt("CallDurationInSeconds", "integer"),
         _opt("CallDisposition"), _opt("Subject")),
        unique_key=("Id", "SystemModstamp"),
    ),
    FileSpec(
        "crm", "Event.csv", "crm_event",
        (ID, _f("OwnerId", "ref"), _f("WhoId", "ref"), _f("WhatId", "ref"),
         _f("StartDateTime", "datetime"), _f("EndDateTime", "datetime"), CREATED, MODSTAMP,
         IS_DELETED, _opt("Type"), _opt("DurationInMinutes", "integer"), _opt("Subject")),
        unique_key=("Id", "SystemModstamp"),
    ),
    FileSpec(
        "crm", "ForecastingQuota.csv", "crm_forecasting_quota",
        (ID, _f("QuotaOwnerId", "ref"), _f("StartDate", "date", not_null=True),
         _f("QuotaAmount", "amount"), _opt("CurrencyIsoCode")),
        unique_key=("Id",),
    ),
    FileSpec(
        "crm", "DatedConversionRate.csv", "crm_dated_conversion_rate",
        (_f("IsoCode", not_null=True), _f("StartDate", "date", not_null=True),
         _f("NextStartDate", "date"), _f("ConversionRate", "positive", not_null=True)),
        unique_key=("IsoCode", "StartDate"),
    ),
    FileSpec(
        "crm", "LoginHistory.csv", "crm_login_history",
        (_f("UserId", "ref", not_null=True), _f("LoginTime", "datetime", not_null=True),
         _f("Status")),
    ),
)

HR_FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "hr", "workers.csv", "hr_workers",
        (_f("employee_id", not_null=True), _f("work_email", "email", not_null=True),
         _f("full_name"), _f("department"), _f("job_title"), _f("job_level"),
         _f("manager_employee_id"), _f("region"), _f("hire_date", "date", not_null=True),
         _f("termination_date", "date"),
         _f("termination_type", "enum", values=TERMINATION_TYPES),
         _f("regrettable", "bool"), _f("effective_date", "date", not_null=True),
         _opt("annual_salary", "amount")),
        unique_key=("employee_id", "effective_date"),
        description="HRIS worker report, one row per worker per effective-dated job change",
    ),
)

LMS_FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "lms", "statements.jsonl", "lms_statements",
        # JSON paths; the raw table holds these flattened plus the statement text.
        (_f("id", "uuid", not_null=True), _f("actor.mbox", "mbox", not_null=True),
         _f("verb.id", not_null=True), _f("object.id", not_null=True),
         _opt("object.objectType"), _opt("result.completion", "bool"),
         _opt("result.success", "bool"), _opt("result.score.scaled", "scaled"),
         _opt("result.duration", "duration"), _f("timestamp", "datetime", not_null=True)),
        # The same statement delivered twice counts once (staging dedupes), even in one file.
        unique_key=(),
        format="jsonl",
        description="xAPI 1.0.3 statements, one per line",
    ),
    FileSpec(
        "lms", "courses.csv", "lms_courses",
        (_f("course_id", not_null=True), _f("title"),
         _f("category", "enum", values=COURSE_CATEGORIES), _f("expected_hours", "amount")),
        unique_key=("course_id",),
    ),
    FileSpec(
        "lms", "assignments.csv", "lms_assignments",
        (_f("work_email", "email", not_null=True), _f("course_id", not_null=True),
         _f("assigned_date", "date"), _f("due_date", "date")),
        unique_key=("work_email", "course_id", "assigned_date"),
    ),
)

FILES: tuple[FileSpec, ...] = CRM_FILES + HR_FILES + LMS_FILES


def files_for(system: str) -> tuple[FileSpec, ...]:
    return tuple(f for f in FILES if f.system == system)


def spec_for(system: str, file_name: str) -> FileSpec | None:
    for f in FILES:
        if f.system == system and f.file_name == file_name:
            return f
    return None


# Columns every raw table carries besides the contract fields.
LINEAGE_COLUMNS = (
    ("_drop_date", "DATE"),
    ("_file", "VARCHAR"),
    ("_line", "BIGINT"),
    ("_load_id", "VARCHAR"),
)


@dataclass
class ContractViolation(Exception):
    """A file that can't be read: its whole drop fails and nothing of it is loaded."""

    file: str
    problem: str
    column: str | None = None
    line: int | None = None
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.problem}"
