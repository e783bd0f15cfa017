"""The Dagster code location of salesops: ingestion, dbt, quality gate, publishing, automation."""
