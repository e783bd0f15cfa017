-- ==== 20_sales: the kpi_* marts of models/marts/kpi and models/marts/sales ====
-- win rate (rep, company, team, region, lead source, type), deal value (rep, company, team,
-- region, lead source), sales cycle + 90-day velocity (rep, company, team, region) and the
-- stage funnel, from staging.* and the core marts only (fct_opportunities carries the
-- close-date team / region, amount_reporting and cycle_days already; team / region over time
-- come from staging.int_hr__worker_periods, the pipeline's int_hr__worker_periods).
-- Shared work is done once into temp tables (dropped at the end):
--   sales_closed_sums      every closed-deal aggregate, one pass with grouping sets
--   sales_velocity_sums    the 90-day window sums, one pass with grouping sets
-- The as-of month: the month of getvariable('as_of_date'), the newest complete drop's date that
-- the runner sets (the pipeline's int_as_of_date).

-- one crm user per rep email (int_crm__reps_by_email): active first, then newest modstamp,
-- then smallest id names the rep.
create temp table sales_rep_names as
select email as rep_email, user_name as rep_name
from staging.stg_crm__users
where email is not null
qualify row_number() over (
    partition by email
    order by case when is_active then 0 else 1 end, system_modstamp desc nulls last,
        user_id asc nulls last
) = 1;

-- closed opportunities with a closedate (fct_closed_opportunities), aggregated once for every
-- grain the win-rate, deal-value and sales-cycle marts publish. deal-value measures are over won
-- deals only (filter), so a deal-value row exists where won_count > 0.
create temp table sales_closed_sums as
with closed_opportunities as (
    select
        close_month as month,
        owner_email as rep_email,
        owner_team as team,
        owner_region as region,
        lead_source,
        opportunity_type,
        is_won,
        amount_reporting,
        cycle_days
    from marts.fct_opportunities
    where is_closed
        and close_date is not null
)
select
    case
        when grouping(rep_email) = 0 then 'rep'
        when grouping(team) = 0 then 'team'
        when grouping(region) = 0 then 'region'
        when grouping(lead_source) = 0 then 'lead_source'
        when grouping(opportunity_type) = 0 then 'type'
        else 'company'
    end as grain,
    month,
    rep_email,
    team,
    region,
    lead_source,
    opportunity_type,
    -- win rate
    count(case when is_won then 1 end) as won_count,
    count(case when not is_won then 1 end) as lost_count,
    coalesce(sum(amount_reporting::decimal(38, 6)) filter (where is_won), 0)::double as won_amount,
    coalesce(sum(amount_reporting::decimal(38, 6)) filter (where not is_won), 0)::double as lost_amount,
    -- deal value (won deals)
    count(amount_reporting) filter (where is_won) as won_with_amount_count,
    round(quantile_cont(amount_reporting, 0.5) filter (where is_won)::double, 6) as median_won_amount,
    round(max(amount_reporting) filter (where is_won), 6)::double as largest_won_amount,
    -- sales cycle (negative cycle days left out and counted)
    count(*) as closed_count,
    count(case when cycle_days < 0 then 1 end) as negative_cycle_count,
    count(case when is_won and cycle_days >= 0 then 1 end) as won_cycle_count,
    coalesce(sum(cycle_days) filter (where is_won and cycle_days >= 0), 0)::bigint as won_cycle_days_total,
    count(case when cycle_days >= 0 then 1 end) as closed_cycle_count,
    coalesce(sum(cycle_days) filter (where cycle_days >= 0), 0)::bigint as closed_cycle_days_total,
    list_transform(quantile_cont(cycle_days, [0.5, 0.9]) filter (where is_won and cycle_days >= 0)::double[],
        lambda q: round(q, 6)) as won_cycle_quantiles,
    list_transform(quantile_cont(cycle_days, [0.5, 0.9]) filter (where cycle_days >= 0)::double[],
        lambda q: round(q, 6)) as closed_cycle_quantiles
from closed_opportunities
group by grouping sets (
    (month, rep_email), (month), (month, team), (month, region),
    (month, lead_source), (month, opportunity_type)
);

-- the 90-day velocity windows (fct_opportunity_events x fct_sales_velocity_windows):
-- every creation (team / region in force on the created date) and every close (team / region
-- on the closedate) counts for each month m up to the as-of month whose window
-- last_day(m) - 89 .. last_day(m) holds the event (the event's month and the 3 following).
create temp table sales_velocity_sums as
with as_of as (
    select date_trunc('month', getvariable('as_of_date'))::date as as_of_month
),
opportunity_events as (
    select
        'created' as event_type,
        opportunities.created_date as event_date,
        opportunities.owner_email as rep_email,
        worker_periods.team,
        worker_periods.region,
        null::boolean as is_won,
        null::double as amount_reporting,
        null::integer as cycle_days
    from marts.fct_opportunities as opportunities
    left join staging.int_hr__worker_periods as worker_periods
        on opportunities.owner_email = worker_periods.work_email
        and worker_periods.valid_from <= opportunities.created_date
        and (worker_periods.valid_to is null or opportunities.created_date <= worker_periods.valid_to)
    where opportunities.created_date is not null
    union all
    select
        'closed',
        close_date,
        owner_email,
        owner_team,
        owner_region,
        is_won,
        amount_reporting,
        cycle_days::integer
    from marts.fct_opportunities
    where is_closed
        and close_date is not null
),
windowed_events as (
    select
        window_months.month,
        opportunity_events.*
    from opportunity_events
    cross join (values (0), (1), (2), (3)) as month_offsets(month_offset)
    cross join lateral (
        select (date_trunc('month', opportunity_events.event_date)
            + month_offsets.month_offset * interval 1 month)::date as month
    ) as window_months
    cross join as_of
    where window_months.month <= as_of.as_of_month
        and opportunity_events.event_date >= last_day(window_months.month) - 89
        and opportunity_events.event_date <= last_day(window_months.month)
)
select
    case
        when grouping(rep_email) = 0 then 'rep'
        when grouping(team) = 0 then 'team'
        when grouping(region) = 0 then 'region'
        else 'company'
    end as grain,
    month,
    rep_email,
    team,
    region,
    count(case when event_type = 'created' then 1 end) as created_count_90d,
    count(case when event_type = 'closed' then 1 end) as closed_count_90d,
    count(case when event_type = 'closed' and is_won then 1 end) as won_count_90d,
    count(case when event_type = 'closed' and is_won then amount_reporting end) as won_with_amount_count_90d,
    coalesce(sum(amount_reporting::decimal(38, 6)) filter (where event_type = 'closed' and is_won), 0)::double as bookings_amount_90d,
    count(case when event_type = 'closed' and is_won and cycle_days >= 0 then 1 end) as won_cycle_count_90d,
    coalesce(sum(cycle_days) filter (where event_type = 'closed' and is_won and cycle_days >= 0), 0)::bigint as won_cycle_days_total_90d
from windowed_events
group by grouping sets ((month), (month, team), (month, region), (month, rep_email));

-- kpi_win_rate: won / lost counts and amounts and both win rates per rep and close month:
-- rep_name from the crm user, team and region in force on the month's last day.
create table marts.kpi_win_rate as
select
    sums.month,
    sums.rep_email::varchar as rep_email,
    reps.rep_name::varchar as rep_name,
    periods.team::varchar as team,
    periods.region::varchar as region,
    sums.won_count,
    sums.lost_count,
    sums.won_count / nullif(sums.won_count + sums.lost_count, 0) as win_rate_count,
    sums.won_amount,
    sums.lost_amount,
    sums.won_amount / nullif(sums.won_amount + sums.lost_amount, 0) as win_rate_amount
from sales_closed_sums as sums
left join sales_rep_names as reps
    on sums.rep_email = reps.rep_email
left join staging.int_hr__worker_periods as periods
    on sums.rep_email = periods.work_email
    and periods.valid_from <= last_day(sums.month)
    and (periods.valid_to is null or last_day(sums.month) <= periods.valid_to)
where sums.grain = 'rep';

-- kpi_win_rate_company: win rate of the whole company per close month.
create table marts.kpi_win_rate_company as
select
    month,
    won_count,
    lost_count,
    won_count / nullif(won_count + lost_count, 0) as win_rate_count,
    won_amount,
    lost_amount,
    won_amount / nullif(won_amount + lost_amount, 0) as win_rate_amount
from sales_closed_sums
where grain = 'company';

-- kpi_win_rate_region: win rate per region in force on the closedate and close month (NULL
-- region = owners without an hr period in force).
create table marts.kpi_win_rate_region as
select
    month,
    region::varchar as region,
    won_count,
    lost_count,
    won_count / nullif(won_count + lost_count, 0) as win_rate_count,
    won_amount,
    lost_amount,
    won_amount / nullif(won_amount + lost_amount, 0) as win_rate_amount
from sales_closed_sums
where grain = 'region';

-- kpi_win_rate_team: win rate per team in force on the closedate and close month.
create table marts.kpi_win_rate_team as
select
    month,
    team::varchar as team,
    won_count,
    lost_count,
    won_count / nullif(won_count + lost_count, 0) as win_rate_count,
    won_amount,
    lost_amount,
    won_amount / nullif(won_amount + lost_amount, 0) as win_rate_amount
from sales_closed_sums
where grain = 'team';

-- kpi_win_rate_by_lead_source: win rate per leadsource and close month (NULL = no leadsource).
create table marts.kpi_win_rate_by_lead_source as
select
    month,
    lead_source::varchar as lead_source,
    won_count,
    lost_count,
    won_count / nullif(won_count + lost_count, 0) as win_rate_count,
    won_amount,
    lost_amount,
    won_amount / nullif(won_amount + lost_amount, 0) as win_rate_amount
from sales_closed_sums
where grain = 'lead_source';

-- kpi_win_rate_by_type: win rate per opportunity type and close month (NULL = no type).
create table marts.kpi_win_rate_by_type as
select
    month,
    opportunity_type::varchar as opportunity_type,
    won_count,
    lost_count,
    won_count / nullif(won_count + lost_count, 0) as win_rate_count,
    won_amount,
    lost_amount,
    won_amount / nullif(won_amount + lost_amount, 0) as win_rate_amount
from sales_closed_sums
where grain = 'type';

-- kpi_deal_value: won deals, bookings, average / median / largest won amount per rep and close
-- month (rows where the rep won something), rep attributes as in kpi_win_rate.
create table marts.kpi_deal_value as
select
    sums.month,
    sums.rep_email::varchar as rep_email,
    reps.rep_name::varchar as rep_name,
    periods.team::varchar as team,
    periods.region::varchar as region,
    sums.won_count,
    sums.won_with_amount_count,
    sums.won_amount as bookings_amount,
    sums.won_amount / nullif(sums.won_with_amount_count, 0) as avg_won_amount,
    sums.median_won_amount,
    sums.largest_won_amount
from sales_closed_sums as sums
left join sales_rep_names as reps
    on sums.rep_email = reps.rep_email
left join staging.int_hr__worker_periods as periods
    on sums.rep_email = periods.work_email
    and periods.valid_from <= last_day(sums.month)
    and (periods.valid_to is null or last_day(sums.month) <= periods.valid_to)
where sums.grain = 'rep'
    and sums.won_count > 0;

-- kpi_deal_value_company: deal value of the whole company per close month.
create table marts.kpi_deal_value_company as
select
    month,
    won_count,
    won_with_amount_count,
    won_amount as bookings_amount,
    won_amount / nullif(won_with_amount_count, 0) as avg_won_amount,
    median_won_amount,
    largest_won_amount
from sales_closed_sums
where grain = 'company'
    and won_count > 0;

-- kpi_deal_value_region: deal value per region in force on the closedate and close month.
create table marts.kpi_deal_value_region as
select
    month,
    region::varchar as region,
    won_count,
    won_with_amount_count,
    won_amount as bookings_amount,
    won_amount / nullif(won_with_amount_count, 0) as avg_won_amount,
    median_won_amount,
    largest_won_amount
from sales_closed_sums
where grain = 'region'
    and won_count > 0;

-- kpi_deal_value_team: deal value per team in force on the closedate and close month.
create table marts.kpi_deal_value_team as
select
    month,
    team::varchar as team,
    won_count,
    won_with_amount_count,
    won_amount as bookings_amount,
    won_amount / nullif(won_with_amount_count, 0) as avg_won_amount,
    median_won_amount,
    largest_won_amount
from sales_closed_sums
where grain = 'team'
    and won_count > 0;

-- kpi_deal_value_by_lead_source: deal value per leadsource and close month.
create table marts.kpi_deal_value_by_lead_source as
select
    month,
    lead_source::varchar as lead_source,
    won_count,
    won_with_amount_count,
    won_amount as bookings_amount,
    won_amount / nullif(won_with_amount_count, 0) as avg_won_amount,
    median_won_amount,
    largest_won_amount
from sales_closed_sums
where grain = 'lead_source'
    and won_count > 0;

-- sales cycle + velocity of every grain: a row per group and month that closed something or
-- has an event in its 90-day window (closed sums full-joined to velocity sums, NULL-safe).
create temp table sales_cycle_rows as
select
    coalesce(cycle.grain, velocity.grain) as grain,
    coalesce(cycle.month, velocity.month) as month,
    coalesce(cycle.rep_email, velocity.rep_email) as rep_email,
    coalesce(cycle.team, velocity.team) as team,
    coalesce(cycle.region, velocity.region) as region,
    coalesce(cycle.closed_count, 0) as closed_count,
    coalesce(cycle.won_count, 0) as won_count,
    coalesce(cycle.negative_cycle_count, 0) as negative_cycle_count,
    coalesce(cycle.won_cycle_count, 0) as won_cycle_count,
    coalesce(cycle.won_cycle_days_total, 0) as won_cycle_days_total,
    coalesce(cycle.closed_cycle_count, 0) as closed_cycle_count,
    coalesce(cycle.closed_cycle_days_total, 0) as closed_cycle_days_total,
    cycle.won_cycle_days_total / nullif(cycle.won_cycle_count, 0) as avg_cycle_days_won,
    cycle.won_cycle_quantiles[1] as median_cycle_days_won,
    cycle.won_cycle_quantiles[2] as p90_cycle_days_won,
    cycle.closed_cycle_days_total / nullif(cycle.closed_cycle_count, 0) as avg_cycle_days_closed,
    cycle.closed_cycle_quantiles[1] as median_cycle_days_closed,
    cycle.closed_cycle_quantiles[2] as p90_cycle_days_closed,
    coalesce(velocity.created_count_90d, 0) as opportunities_created_90d,
    coalesce(velocity.closed_count_90d, 0) as closed_count_90d,
    coalesce(velocity.won_count_90d, 0) as won_count_90d,
    coalesce(velocity.bookings_amount_90d, 0)::double as bookings_amount_90d,
    velocity.bookings_amount_90d / nullif(velocity.won_with_amount_count_90d, 0) as avg_won_amount_90d,
    velocity.won_count_90d / nullif(velocity.closed_count_90d, 0) as win_rate_count_90d,
    velocity.won_cycle_days_total_90d / nullif(velocity.won_cycle_count_90d, 0) as avg_cycle_days_won_90d,
    -- velocity = n created x avg won amount x win rate / avg won cycle (NULL when a factor is
    -- undefined or the average cycle is 0)
    case when velocity.won_cycle_days_total_90d <> 0 then
        velocity.created_count_90d
        * (velocity.bookings_amount_90d / nullif(velocity.won_with_amount_count_90d, 0))
        * (velocity.won_count_90d / nullif(velocity.closed_count_90d, 0))
        / (velocity.won_cycle_days_total_90d / nullif(velocity.won_cycle_count_90d, 0))
    end as sales_velocity_90d
from (select * from sales_closed_sums where grain in ('rep', 'company', 'team', 'region')) as cycle
full join sales_velocity_sums as velocity
    on cycle.grain = velocity.grain
    and cycle.month = velocity.month
    and cycle.rep_email is not distinct from velocity.rep_email
    and cycle.team is not distinct from velocity.team
    and cycle.region is not distinct from velocity.region;

-- kpi_sales_cycle: cycle days of the deals a rep closed in the month and the rep's 90-day
-- velocity, team and region in force on the month's last day.
create table marts.kpi_sales_cycle as
select
    cycle_rows.month,
    cycle_rows.rep_email::varchar as rep_email,
    reps.rep_name::varchar as rep_name,
    periods.team::varchar as team,
    periods.region::varchar as region,
    cycle_rows.* exclude (grain, month, rep_email, team, region)
from sales_cycle_rows as cycle_rows
left join sales_rep_names as reps
    on cycle_rows.rep_email = reps.rep_email
left join staging.int_hr__worker_periods as periods
    on cycle_rows.rep_email = periods.work_email
    and periods.valid_from <= last_day(cycle_rows.month)
    and (periods.valid_to is null or last_day(cycle_rows.month) <= periods.valid_to)
where cycle_rows.grain = 'rep';

-- kpi_sales_cycle_company: sales cycle and 90-day velocity of the whole company per month.
create table marts.kpi_sales_cycle_company as
select month, * exclude (grain, month, rep_email, team, region)
from sales_cycle_rows
where grain = 'company';

-- kpi_sales_cycle_region: sales cycle and 90-day velocity per region (in force on each event's
-- date) and month.
create table marts.kpi_sales_cycle_region as
select month, region::varchar as region, * exclude (grain, month, rep_email, team, region)
from sales_cycle_rows
where grain = 'region';

-- kpi_sales_cycle_team: sales cycle and 90-day velocity per team (in force on each event's
-- date) and month.
create table marts.kpi_sales_cycle_team as
select month, team::varchar as team, * exclude (grain, month, rep_email, team, region)
from sales_cycle_rows
where grain = 'team';

-- kpi_stage_funnel: per month of stage entry and stage, the entries of live opportunities into
-- the stage (opportunityhistory rows, latest version, ordered by createddate then id, a row
-- whose stage differs from the previous row's opens an entry), how many moved on (a later entry
-- into another non-lost stage, or the opportunity is won now and this is not a won stage), how
-- many were won later, conversion rates (NULL for won / lost stages) and days in stage of the
-- entries that have left it.
create table marts.kpi_stage_funnel as
with live_opportunities as (
    select opportunity_id, stage_name, is_closed, is_won
    from staging.stg_crm__opportunities
),
closed_stage_kinds as (
    -- a stage a live closed-won opportunity is in now is a won stage, closed-lost: lost stage
    select
        stage_name,
        max(case when is_won then 1 else 0 end) as has_won,
        max(case when not is_won then 1 else 0 end) as has_lost
    from live_opportunities
    where is_closed
        and stage_name is not null
    group by stage_name
),
sequenced_history as (
    select
        history.opportunity_history_id,
        history.opportunity_id,
        history.stage_name,
        history.forecast_category,
        history.created_at,
        live_opportunities.is_won as opportunity_is_won,
        lag(history.stage_name) over (
            partition by history.opportunity_id
            order by history.created_at, history.opportunity_history_id
        ) as previous_stage_name
    from staging.stg_crm__opportunity_history as history
    inner join live_opportunities
        on history.opportunity_id = live_opportunities.opportunity_id
    where history.stage_name is not null
        and history.created_at is not null
),
classified_entries as (
    select
        entries.opportunity_history_id,
        entries.opportunity_id,
        entries.stage_name,
        entries.created_at as entered_at,
        entries.opportunity_is_won,
        coalesce(kinds.has_won = 1 or entries.forecast_category = 'Closed', false) as is_won_stage,
        coalesce(kinds.has_lost = 1, false) and not coalesce(kinds.has_won = 1, false) as is_lost_stage
    from sequenced_history as entries
    left join closed_stage_kinds as kinds
        on entries.stage_name = kinds.stage_name
    where entries.previous_stage_name is null
        or entries.previous_stage_name <> entries.stage_name
),
progressed_entries as (
    -- the stage names of the later entries that are not lost stages / that are won stages
    -- (min and max tell whether one differs from this entry's stage)
    select
        classified_entries.*,
        lead(entered_at) over entry_order as exited_at,
        min(case when not is_lost_stage then stage_name end) over later_entries as later_open_min,
        max(case when not is_lost_stage then stage_name end) over later_entries as later_open_max,
        min(case when is_won_stage then stage_name end) over later_entries as later_won_min,
        max(case when is_won_stage then stage_name end) over later_entries as later_won_max
    from classified_entries
    window
        entry_order as (partition by opportunity_id order by entered_at, opportunity_history_id),
        later_entries as (
            partition by opportunity_id order by entered_at, opportunity_history_id
            rows between 1 following and unbounded following
        )
),
stage_entries as (
    select
        date_trunc('month', entries.entered_at)::date as entered_month,
        entries.stage_name,
        entries.is_won_stage or entries.is_lost_stage as is_closed_stage,
        (date_diff('second', entries.entered_at, entries.exited_at) / 86400.0)::double as days_in_stage,
        coalesce(entries.later_open_min <> entries.stage_name
            or entries.later_open_max <> entries.stage_name, false)
            or (entries.opportunity_is_won and not entries.is_won_stage) as moved_on,
        coalesce(entries.later_won_min <> entries.stage_name
            or entries.later_won_max <> entries.stage_name, false)
            or (entries.opportunity_is_won and not entries.is_won_stage) as won_later
    from progressed_entries as entries
),
stage_month_sums as (
    select
        entered_month as month,
        stage_name,
        bool_or(is_closed_stage) as is_closed_stage,
        count(*) as entered_count,
        count(case when moved_on then 1 end) as moved_on_count,
        count(case when won_later then 1 end) as won_later_count,
        count(days_in_stage) as exited_count,
        avg(days_in_stage)::double as avg_days_in_stage,
        round(quantile_cont(days_in_stage, 0.5)::double, 6) as median_days_in_stage
    from stage_entries
    group by entered_month, stage_name
)
select
    month,
    stage_name::varchar as stage_name,
    is_closed_stage,
    entered_count,
    moved_on_count,
    won_later_count,
    exited_count,
    case when not is_closed_stage then moved_on_count / entered_count end as conversion_rate,
    case when not is_closed_stage then won_later_count / entered_count end as stage_win_rate,
    avg_days_in_stage,
    median_days_in_stage
from stage_month_sums;

drop table sales_cycle_rows;
drop table sales_velocity_sums;
drop table sales_closed_sums;
drop table sales_rep_names;
