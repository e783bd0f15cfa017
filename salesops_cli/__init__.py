"""The `salesops` command line: a thin client of the library (salesops/: generate, publish,
restore, what is pending) and of the orchestrator (orchestration/: a pipeline run in process).
It depends on both; neither depends on it, and the library knows nothing of the orchestrator."""
