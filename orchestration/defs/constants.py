"""Names shared by the definitions."""

# Every asset that writes (or must not overlap a write to) the DuckDB warehouse runs in this
# Dagster concurrency pool; its limit of 1 (config/dagster.yaml) makes runs queue, not collide.
WAREHOUSE_POOL = "duckdb_warehouse"
PIPELINE_JOB = "salesops_pipeline"
