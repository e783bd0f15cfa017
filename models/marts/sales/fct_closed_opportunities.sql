{{ config(materialized=view_materialization()) }}
-- Closed opportunities with a CloseDate: the population of the closed-deal KPIs. Each carries
-- its close month, its owner's rep email and the team / region in force on its CloseDate.
select
    opportunity_id,
    close_month as month,
    close_date,
    owner_email as rep_email,
    owner_team as team,
    owner_region as region,
    is_won,
    amount_reporting,
    cycle_days,
    lead_source,
    opportunity_type
from {{ ref('fct_opportunities') }}
where is_closed
    and close_date is not null
