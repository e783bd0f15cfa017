"""salesops: sales-operations KPI marts from CRM, HR and LMS extracts."""

__version__ = "0.1.0"
