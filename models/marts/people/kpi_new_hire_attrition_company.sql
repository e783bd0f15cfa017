-- New-hire attrition and ramp time per hire cohort month for the whole company.
{{ people_new_hire_mart() }}
