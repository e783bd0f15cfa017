-- Sales cycle and 90-day sales velocity per rep and month (METRICS.md section 6). Cycle days of
-- the opportunities the rep closed in the month (negative ones left out and counted); velocity
-- over the trailing 90 days ending on the month's last day. team and region are the rep's on
-- the last day of the month. The body is the sales_cycle_grain macro, shared by every grain.
{{ sales_cycle_grain('rep_email') }}
