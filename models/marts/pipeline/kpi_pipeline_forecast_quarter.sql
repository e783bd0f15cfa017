-- Pipeline forecast per snapshot, fiscal close quarter and rep: the monthly forecast's events
-- (fct_forecast_events) summed over the quarter of their close month (quotas of the
-- quarter's months added up). rep_name is the CRM User's name; team and region are the rep's
-- on the snapshot date.
with forecast_events as (
    select
        forecast_events.*,
        {{ pipeline_fiscal_quarter_start('forecast_events.close_month') }} as close_quarter
    from {{ ref('fct_forecast_events') }} as forecast_events
),

rep_sums as (
    select
        snapshot_date,
        close_quarter,
        rep_email,
        team,
        region,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_quarter, rep_email, team, region
)

select
    rep_sums.snapshot_date,
    rep_sums.close_quarter,
    cast(rep_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(rep_sums.team as {{ dbt.type_string() }}) as team,
    cast(rep_sums.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_forecast_measures('rep_sums') }}
from rep_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_sums.rep_email = reps.rep_email
