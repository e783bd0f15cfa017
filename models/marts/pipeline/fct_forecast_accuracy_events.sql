{{ config(materialized=view_materialization()) }}
-- What the forecast-accuracy marts sum, for close months that have ended (month end before
-- "now", the newest extract date loaded), one row per event with the team / region in force
-- on the event's date:
-- - actuals: every won opportunity of fct_opportunities closed in the month (team on its
--   CloseDate), horizon_days NULL;
-- - forecasts: for each horizon (30, 60, 90 days), the month's open and won opportunities of
--   the latest snapshot on or before month end - horizon (team on the snapshot date), with
--   what they add to the commit forecast (won + the categories feeding commit in the seed
--   forecast_categories: Forecast) and to the weighted
--   pipeline (every open opportunity, amount x probability / 100, as in kpi_pipeline_forecast).
{%- set horizons = [30, 60, 90] %}

with as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

won_opportunities as (
    select
        month as close_month,
        rep_email,
        team,
        region,
        amount_reporting
    from {{ ref('fct_closed_opportunities') }}
    where is_won
),

forecast_opportunities as (
    select *
    from {{ ref('fct_forecast_events') }}
    where is_open or is_closed_won
),

candidate_months as (
    select close_month from won_opportunities
    union
    select close_month from forecast_opportunities
),

ended_months as (
    select
        candidate_months.close_month,
        cast({{ dbt.last_day('candidate_months.close_month', 'month') }} as date) as month_end
    from candidate_months
    cross join as_of
    where candidate_months.close_month is not null
        and cast({{ dbt.last_day('candidate_months.close_month', 'month') }} as date) < as_of.as_of_date
),

horizon_snapshots as (
    {%- for horizon in horizons %}
    select
        ended_months.close_month,
        {{ horizon }} as horizon_days,
        max(snapshot_dates.snapshot_date) as snapshot_date
    from ended_months
    inner join {{ ref('int_pipeline__snapshot_dates') }} as snapshot_dates
        on snapshot_dates.snapshot_date <= cast({{ dbt.dateadd('day', -horizon, 'ended_months.month_end') }} as date)
    group by ended_months.close_month
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    won_opportunities.close_month,
    won_opportunities.rep_email,
    won_opportunities.team,
    won_opportunities.region,
    cast(null as integer) as horizon_days,
    true as is_actual_won,
    won_opportunities.amount_reporting as won_amount,
    cast(null as double) as commit_amount,
    cast(null as double) as weighted_amount
from won_opportunities
inner join ended_months
    on won_opportunities.close_month = ended_months.close_month

union all

select
    forecast_opportunities.close_month,
    forecast_opportunities.rep_email,
    forecast_opportunities.team,
    forecast_opportunities.region,
    horizon_snapshots.horizon_days,
    false as is_actual_won,
    cast(null as double) as won_amount,
    case
        when forecast_opportunities.is_closed_won
            or (forecast_opportunities.is_open and forecast_opportunities.forecast_bucket = 'commit')
            then forecast_opportunities.amount_reporting
    end as commit_amount,
    case
        when forecast_opportunities.is_open
            then forecast_opportunities.weighted_amount_reporting
    end as weighted_amount
from forecast_opportunities
inner join horizon_snapshots
    on forecast_opportunities.close_month = horizon_snapshots.close_month
    and forecast_opportunities.snapshot_date = horizon_snapshots.snapshot_date
