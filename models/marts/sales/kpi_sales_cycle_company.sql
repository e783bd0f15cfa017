-- Sales cycle and 90-day velocity of the whole company per month.
{{ sales_cycle_grain() }}
