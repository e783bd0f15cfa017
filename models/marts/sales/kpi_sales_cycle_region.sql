-- Sales cycle and 90-day velocity per region and month: each opportunity counts for the region
-- in force on the event's date; owners without an HR period in force form the NULL region.
{{ sales_cycle_grain('region') }}
