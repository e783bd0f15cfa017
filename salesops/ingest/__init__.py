"""Ingestion: complete landing drops -> append-only raw tables in the warehouse."""
