-- Retention per region and month (METRICS.md section 2): see macro people_retention_mart.
{{ people_retention_mart('region') }}
