"""One module per integration: ingestion (landing -> raw), dbt, quality (GX), publishing."""
