-- Retention of the whole sales organisation per month (every month of the series).
{{ people_retention_mart() }}
