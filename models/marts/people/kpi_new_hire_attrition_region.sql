-- New-hire attrition and ramp time per hire cohort month and region (in force on the hire
-- date): see macro people_new_hire_mart.
{{ people_new_hire_mart('region') }}
