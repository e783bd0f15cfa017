-- Pipeline forecast per snapshot (CRM drop date), close month and rep (sparse: a row where the
-- rep has, in that snapshot, an open or won opportunity closing in the month, or a quota for
-- it). rep_name is the CRM User's name; team and region are the rep's on the snapshot date.
with forecast_events as (
    select *
    from {{ ref('fct_forecast_events') }}
),

rep_sums as (
    -- one team / region per rep and snapshot date: every event of the group carries those in
    -- force on the snapshot date
    select
        snapshot_date,
        close_month,
        rep_email,
        team,
        region,
        {{ pipeline_forecast_sums() }}
    from forecast_events
    group by snapshot_date, close_month, rep_email, team, region
)

select
    rep_sums.snapshot_date,
    rep_sums.close_month,
    cast(rep_sums.rep_email as {{ dbt.type_string() }}) as rep_email,
    cast(reps.rep_name as {{ dbt.type_string() }}) as rep_name,
    cast(rep_sums.team as {{ dbt.type_string() }}) as team,
    cast(rep_sums.region as {{ dbt.type_string() }}) as region,
    {{ pipeline_forecast_measures('rep_sums') }}
from rep_sums
left join {{ ref('int_crm__reps_by_email') }} as reps
    on rep_sums.rep_email = reps.rep_email
