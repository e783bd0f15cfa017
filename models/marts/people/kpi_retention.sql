-- Retention per team and month, the published kpi_retention interface (the same rows as
-- kpi_retention_team): see macro people_retention_mart.
{{ people_retention_mart('team') }}
