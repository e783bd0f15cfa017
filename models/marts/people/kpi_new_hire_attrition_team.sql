-- New-hire attrition and ramp time per hire cohort month and team (same rows as
-- kpi_new_hire_attrition): see macro people_new_hire_mart.
{{ people_new_hire_mart('team') }}
