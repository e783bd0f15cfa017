{{ config(materialized=view_materialization()) }}
-- Opportunity hygiene at each month end: the opportunities open at the end of the month, with
-- the owner and values of the version in force at that moment. The raw history keeps every
-- version delivered, so the version in force at a month end is the latest raw version stamped
-- before the end of that day (SystemModstamp, then later drop, then later line). The first drop
-- is a full export: a record changed after a month end and before the first drop has no
-- version from that month end; its earliest known version stands in for it (best evidence).
-- Open at month end: created on or before the month end, and not closed in that version (for a
-- stand-in version stamped after the month end: not closed, or closed with a CloseDate after
-- the month end). Stale: CloseDate missing or before the month end (past due), or no Amount, or
-- no NextStep, in that version. Records deleted in their latest version count in no month.
-- Months: from the month of the earliest CreatedDate to the month of the as-of date.
with live_opportunities as (
    select
        opportunity_id,
        created_date
    from {{ ref('stg_crm__opportunities') }}
),

opportunity_versions as (
    select
        opportunity_id,
        owner_id,
        is_closed,
        close_date,
        amount,
        next_step,
        system_modstamp,
        drop_date,
        source_line
    from {{ ref('base_crm__opportunities') }}
),

owners as (
    select
        user_id,
        email
    from {{ ref('stg_crm__users') }}
),

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

months as (
    select distinct
        dim_dates.month_start as month,
        dim_dates.month_end,
        cast({{ dbt.dateadd('day', 1, 'cast(dim_dates.month_end as timestamp)') }} as timestamp) as month_end_close
    from {{ ref('dim_dates') }} as dim_dates
    cross join as_of
    where dim_dates.month_start <= as_of.as_of_date
        and dim_dates.month_end >= (select min(created_date) from live_opportunities)
),

candidate_versions as (
    select
        months.month,
        months.month_end,
        opportunity_versions.*,
        coalesce(opportunity_versions.system_modstamp < months.month_end_close, false) as is_in_force
    from months
    inner join live_opportunities
        on live_opportunities.created_date <= months.month_end
    inner join opportunity_versions
        on live_opportunities.opportunity_id = opportunity_versions.opportunity_id
),

ranked_versions as (
    select
        candidate_versions.*,
        row_number() over (
            partition by candidate_versions.month, candidate_versions.opportunity_id
            order by
                case when candidate_versions.is_in_force then 0 else 1 end asc,
                case when candidate_versions.is_in_force then candidate_versions.system_modstamp end desc nulls last,
                case when not candidate_versions.is_in_force then candidate_versions.system_modstamp end asc nulls last,
                candidate_versions.drop_date desc nulls last,
                candidate_versions.source_line desc nulls last
        ) as version_rank
    from candidate_versions
),

open_at_month_end as (
    select
        month,
        month_end,
        opportunity_id,
        owner_id,
        is_in_force,
        coalesce(
            close_date is null
            or close_date < month_end
            or amount is null
            or next_step is null,
            false
        ) as is_stale
    from ranked_versions
    where version_rank = 1
        and (
            not coalesce(is_closed, false)
            or (not is_in_force and close_date > month_end)
        )
)

select
    open_at_month_end.month,
    open_at_month_end.month_end,
    open_at_month_end.opportunity_id,
    owners.email as rep_email,
    periods.team,
    periods.region,
    open_at_month_end.is_in_force,
    open_at_month_end.is_stale
from open_at_month_end
left join owners
    on open_at_month_end.owner_id = owners.user_id
left join {{ ref('int_hr__worker_periods') }} as periods
    on owners.email = periods.work_email
    and {{ in_force('periods', 'open_at_month_end.month_end') }}
