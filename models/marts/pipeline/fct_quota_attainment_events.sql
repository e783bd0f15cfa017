{{ config(materialized=view_materialization()) }}
-- What the quota-attainment marts sum, one row per event with the team / region in force on
-- the event's date: every won opportunity (latest version, not deleted, IsClosed and IsWon,
-- with a CloseDate) in its close month, with the team on its CloseDate; every quota in its
-- month, with the team on its StartDate.
with won_opportunities as (
    select
        month,
        rep_email,
        team,
        region,
        amount_reporting
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

quotas as (
    select
        quota_month as month,
        rep_email,
        start_team as team,
        start_region as region,
        quota_amount_reporting
    from {{ ref('int_pipeline__quotas') }}
)

select
    month,
    rep_email,
    team,
    region,
    true as is_won,
    amount_reporting,
    cast(null as double) as quota_amount_reporting
from won_opportunities

union all

select
    month,
    rep_email,
    team,
    region,
    false as is_won,
    cast(null as double) as amount_reporting,
    quota_amount_reporting
from quotas
