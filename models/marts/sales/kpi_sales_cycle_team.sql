-- Sales cycle and 90-day velocity per team and month: each opportunity counts for the team its
-- owner was in on the event's date (CloseDate for closes, CreatedDate for creations); owners
-- without an HR period in force form the NULL team. Velocity is computed from the team's own
-- opportunities, never from rep rows.
{{ sales_cycle_grain('team') }}
