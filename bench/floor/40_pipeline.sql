-- ==== 40_pipeline: the pipeline marts (models/marts/pipeline): kpi_pipeline_forecast*,
-- kpi_pipeline_forecast_quarter*, kpi_forecast_accuracy*, kpi_quota_attainment*.
-- Reads staging.* (team / region over time from staging.int_hr__worker_periods, the pipeline's
-- int_hr__worker_periods) and marts.fct_opportunities only. Constants of the dbt project's vars:
-- reporting currency 'USD', fiscal_year_start_month 1, forecast-accuracy horizons 30/60/90 days.
--
-- How it stays fast: every money sum of the pipeline is an exact decimal(38, 6) sum of each
-- row's amount cast to decimal(38, 6), so sums can be taken in stages and re-added without
-- changing a digit. The snapshots are never expanded per opportunity: the versions that count
-- are summed per (interval of snapshots they are in force for, owner e-mail, close month)
-- first, and only those sums are spread over the snapshot dates. Every mart is then a
-- grouping set over one small temp table per mart family.
--
-- The pipeline takes its snapshot dates and its "now" (as-of date) from the ingestion ledger
-- raw.load_drops, which the floor doesn't have: here they come from the drop folders with a
-- _SUCCESS file under getvariable('landing') when it is set, plus the drop dates present in
-- the staging data (the same dates whenever every loaded drop has rows, as in the bundled and
-- benchmark data).

-- One CRM User per rep e-mail (int_crm__reps_by_email): the active one, then the most
-- recently modified, then the smallest Id names it.
create temp table reps_by_email as
select email as rep_email, user_name as rep_name
from staging.stg_crm__users
where email is not null
qualify row_number() over (
    partition by email
    order by case when is_active then 0 else 1 end, system_modstamp desc nulls last, user_id asc nulls last
) = 1;

-- The pipeline snapshots (int_pipeline__snapshot_dates): one per CRM drop date. The pipeline
-- reads its drop ledger; here the CRM drop folders with a _SUCCESS file (when the landing
-- root is set) plus every drop date seen on an Opportunity row.
create temp table snapshot_dates as
select distinct snapshot_date
from (
    select try_cast(regexp_extract(file, '([0-9]{4}-[0-9]{2}-[0-9]{2})[/\\]_SUCCESS$', 1) as date) as snapshot_date
    from glob(coalesce(getvariable('landing'), '/nonexistent-landing-root') || '/crm/*/_SUCCESS')
    union all
    select distinct drop_date from staging.base_crm__opportunities
)
where snapshot_date is not null;

-- The owner's team / region in force on each snapshot date, per work e-mail.
create temp table snapshot_rep_attributes as
select
    worker_periods.work_email as rep_email,
    snapshot_dates.snapshot_date,
    worker_periods.team,
    worker_periods.region
from staging.int_hr__worker_periods as worker_periods
inner join snapshot_dates
    on worker_periods.valid_from <= snapshot_dates.snapshot_date
    and (worker_periods.valid_to is null or snapshot_dates.snapshot_date <= worker_periods.valid_to);

-- The DatedConversionRates in force per (record currency, day) that an amount of this section
-- is converted on (convert_to_reporting): the record currency's and the reporting currency's
-- rate (the later start_date wins when two are in force), and how many rates exist at all.
create temp table day_rates as
with rate_days as (
    select distinct coalesce(currency_iso_code, 'USD') as record_currency, close_date as rate_day
    from staging.base_crm__opportunities
    where close_date is not null
    union
    select distinct coalesce(currency_iso_code, 'USD'), start_date
    from staging.stg_crm__forecasting_quotas
    where start_date is not null
),
rate_coverage as (
    select
        count(*) as rate_count,
        count(*) filter (where iso_code = 'USD') as reporting_rate_count
    from staging.stg_crm__dated_conversion_rates
)
select
    rate_days.record_currency,
    rate_days.rate_day,
    arg_max_null(rates.conversion_rate, rates.start_date)
        filter (where rates.iso_code = rate_days.record_currency) as record_rate,
    arg_max_null(rates.conversion_rate, rates.start_date)
        filter (where rates.iso_code = 'USD') as reporting_rate,
    any_value(rate_coverage.rate_count) as rate_count,
    any_value(rate_coverage.reporting_rate_count) as reporting_rate_count
from rate_days
cross join rate_coverage
left join staging.stg_crm__dated_conversion_rates as rates
    on rates.iso_code in (rate_days.record_currency, 'USD')
    and rates.start_date <= rate_days.rate_day
    and (rates.next_start_date is null or rate_days.rate_day < rates.next_start_date)
group by rate_days.record_currency, rate_days.rate_day;

-- ForecastingQuotas with a StartDate (int_pipeline__quotas): owner's e-mail, quota month,
-- amount in the reporting currency at the rate in force on StartDate, owner's team / region
-- in force on StartDate.
create temp table quota_rows as
with quotas as (
    select
        quota_owner_id,
        start_date,
        quota_amount,
        coalesce(currency_iso_code, 'USD') as record_currency
    from staging.stg_crm__forecasting_quotas
    where start_date is not null
)
select
    owners.email as rep_email,
    date_trunc('month', quotas.start_date)::date as quota_month,
    case
        when quotas.quota_amount is null then null
        when day_rates.rate_count = 0 then quotas.quota_amount
        when quotas.record_currency = 'USD' then quotas.quota_amount
        when day_rates.reporting_rate_count = 0 and day_rates.record_rate is not null
            then quotas.quota_amount / day_rates.record_rate
        when day_rates.record_rate is null or day_rates.reporting_rate is null then null
        else quotas.quota_amount / day_rates.record_rate * day_rates.reporting_rate
    end::double as quota_amount_reporting,
    worker_periods.team as start_team,
    worker_periods.region as start_region
from quotas
left join day_rates
    on quotas.record_currency = day_rates.record_currency
    and quotas.start_date = day_rates.rate_day
left join staging.stg_crm__users as owners
    on quotas.quota_owner_id = owners.user_id
left join staging.int_hr__worker_periods as worker_periods
    on owners.email = worker_periods.work_email
    and worker_periods.valid_from <= quotas.start_date
    and (worker_periods.valid_to is null or quotas.start_date <= worker_periods.valid_to);

-- What the pipeline-forecast marts sum (fct_forecast_events over
-- fct_pipeline_snapshots), per snapshot date, close month and rep e-mail, with the rep's team /
-- region on the snapshot date: the open and closed-won opportunities of the snapshot (the
-- version in force at the snapshot: best-ranked by SystemModstamp, drop, line among the drops
-- up to it; none when that version is deleted or the record is deleted in its latest version)
-- and every quota of the month, repeated in each snapshot.
create temp table forecast_rep_sums as
with identified_versions as (
    select
        opportunity_id,
        owner_id,
        forecast_category,
        is_closed,
        is_won,
        close_date,
        amount,
        coalesce(currency_iso_code, 'USD') as record_currency,
        probability,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp,
        drop_date,
        source_line
    from staging.base_crm__opportunities
    where opportunity_id is not null
        and drop_date is not null
),
revised_opportunity_ids as (
    -- records delivered more than once: only their versions need ranking
    select opportunity_id
    from identified_versions
    group by opportunity_id
    having count(*) > 1
),
ranked_versions as (
    -- a version is in force from its own drop until the earliest drop of a better-ranked
    -- version (higher SystemModstamp, then later drop, then later line): counts_until
    select
        identified_versions.* exclude (opportunity_id, system_modstamp, source_line),
        min(drop_date) over (version_order rows between unbounded preceding and 1 preceding) as counts_until,
        first_value(is_deleted) over version_order as is_deleted_in_latest_version
    from identified_versions
    semi join revised_opportunity_ids
        on identified_versions.opportunity_id = revised_opportunity_ids.opportunity_id
    window version_order as (
        partition by opportunity_id
        order by system_modstamp desc nulls last, drop_date desc nulls last, source_line desc nulls last
    )
    union all by name
    -- a record delivered once: its only version is in force from its drop on
    select
        identified_versions.* exclude (opportunity_id, system_modstamp, source_line),
        null::date as counts_until,
        is_deleted as is_deleted_in_latest_version
    from identified_versions
    anti join revised_opportunity_ids
        on identified_versions.opportunity_id = revised_opportunity_ids.opportunity_id
),
forecast_versions as (
    -- versions that are some snapshot's open or closed-won opportunity with a CloseDate
    select
        ranked_versions.drop_date as counts_from,
        ranked_versions.counts_until,
        owners.email as rep_email,
        date_trunc('month', ranked_versions.close_date)::date as close_month,
        not ranked_versions.is_closed as is_open,
        ranked_versions.is_closed and ranked_versions.is_won as is_closed_won,
        ranked_versions.forecast_category,
        case
            when ranked_versions.amount is null then null
            when day_rates.rate_count = 0 then ranked_versions.amount
            when ranked_versions.record_currency = 'USD' then ranked_versions.amount
            when day_rates.reporting_rate_count = 0 and day_rates.record_rate is not null
                then ranked_versions.amount / day_rates.record_rate
            when day_rates.record_rate is null or day_rates.reporting_rate is null then null
            else ranked_versions.amount / day_rates.record_rate * day_rates.reporting_rate
        end::double as amount_reporting,
        ranked_versions.probability
    from ranked_versions
    left join day_rates
        on ranked_versions.record_currency = day_rates.record_currency
        and ranked_versions.close_date = day_rates.rate_day
    left join staging.stg_crm__users as owners
        on ranked_versions.owner_id = owners.user_id
    where not ranked_versions.is_deleted
        and not ranked_versions.is_deleted_in_latest_version
        and ranked_versions.close_date is not null
        and (not ranked_versions.is_closed or ranked_versions.is_won)
        and (ranked_versions.counts_until is null or ranked_versions.counts_until > ranked_versions.drop_date)
),
version_interval_sums as (
    -- the versions' sums per interval of snapshots they are in force for
    select
        counts_from,
        counts_until,
        rep_email,
        close_month,
        count(case when is_open or is_closed_won then 1 end) as forecast_opportunity_count,
        count(case when is_open then 1 end) as open_opportunity_count,
        sum(case when is_open then amount_reporting::decimal(38, 6) end) as open_pipeline_amount,
        sum(case when is_open then (amount_reporting * probability / 100)::decimal(38, 6) end) as weighted_pipeline_amount,
        sum(case when is_open and forecast_category = 'Pipeline' then amount_reporting::decimal(38, 6) end) as pipeline_amount,
        sum(case when is_open and forecast_category = 'BestCase' then amount_reporting::decimal(38, 6) end) as best_case_amount,
        sum(case when is_open and forecast_category = 'Forecast' then amount_reporting::decimal(38, 6) end) as commit_amount,
        sum(case when is_open and forecast_category = 'Omitted' then amount_reporting::decimal(38, 6) end) as omitted_amount,
        count(case when is_closed_won then 1 end) as closed_won_count,
        sum(case when is_closed_won then amount_reporting::decimal(38, 6) end) as closed_won_amount
    from forecast_versions
    group by all
),
snapshot_events as (
    -- the interval sums spread over the snapshots they are in force for ...
    select
        snapshot_dates.snapshot_date,
        version_interval_sums.close_month,
        version_interval_sums.rep_email,
        version_interval_sums.* exclude (counts_from, counts_until, close_month, rep_email),
        null::decimal(38, 6) as quota_amount
    from version_interval_sums
    inner join snapshot_dates
        on version_interval_sums.counts_from <= snapshot_dates.snapshot_date
        and (version_interval_sums.counts_until is null or snapshot_dates.snapshot_date < version_interval_sums.counts_until)
    union all by name
    -- ... and every quota (per rep e-mail and month) repeated in each snapshot
    select
        snapshot_dates.snapshot_date,
        quota_months.quota_month as close_month,
        quota_months.rep_email,
        quota_months.quota_amount
    from (
        select rep_email, quota_month, sum(quota_amount_reporting::decimal(38, 6)) as quota_amount
        from quota_rows
        group by rep_email, quota_month
    ) as quota_months
    cross join snapshot_dates
),
snapshot_sums as (
    select
        snapshot_date,
        close_month,
        rep_email,
        coalesce(sum(forecast_opportunity_count), 0)::bigint as forecast_opportunity_count,
        coalesce(sum(open_opportunity_count), 0)::bigint as open_opportunity_count,
        coalesce(sum(open_pipeline_amount), 0) as open_pipeline_amount,
        coalesce(sum(weighted_pipeline_amount), 0) as weighted_pipeline_amount,
        coalesce(sum(pipeline_amount), 0) as pipeline_amount,
        coalesce(sum(best_case_amount), 0) as best_case_amount,
        coalesce(sum(commit_amount), 0) as commit_amount,
        coalesce(sum(omitted_amount), 0) as omitted_amount,
        coalesce(sum(closed_won_count), 0)::bigint as closed_won_count,
        coalesce(sum(closed_won_amount), 0) as closed_won_amount,
        coalesce(sum(quota_amount), 0) as quota_amount
    from snapshot_events
    group by snapshot_date, close_month, rep_email
)
select
    snapshot_sums.snapshot_date,
    snapshot_sums.close_month,
    snapshot_sums.rep_email,
    snapshot_rep_attributes.team,
    snapshot_rep_attributes.region,
    snapshot_sums.* exclude (snapshot_date, close_month, rep_email)
from snapshot_sums
left join snapshot_rep_attributes
    on snapshot_sums.rep_email = snapshot_rep_attributes.rep_email
    and snapshot_sums.snapshot_date = snapshot_rep_attributes.snapshot_date;

-- The pipeline-forecast measures of every grain (snapshot x close month or fiscal close
-- quarter x rep / company / region / team) in one pass over the rep sums.
create temp table forecast_grains as
with grain_sums as (
    select
        grouping(close_month, close_quarter, rep_email, team, region) as grain,
        snapshot_date,
        close_month,
        close_quarter,
        rep_email,
        team,
        region,
        sum(open_opportunity_count)::bigint as open_opportunity_count,
        sum(open_pipeline_amount) as open_pipeline_amount,
        sum(weighted_pipeline_amount) as weighted_pipeline_amount,
        sum(pipeline_amount) as pipeline_amount,
        sum(best_case_amount) as best_case_amount,
        sum(commit_amount) as commit_amount,
        sum(omitted_amount) as omitted_amount,
        sum(closed_won_count)::bigint as closed_won_count,
        sum(closed_won_amount) as closed_won_amount,
        sum(quota_amount) as quota_amount
    from (
        -- fiscal quarter of the close month (fiscal_year_start_month = 1)
        select *, (close_month - to_months((month(close_month) - 1 + 12) % 12 % 3))::date as close_quarter
        from forecast_rep_sums
    )
    group by grouping sets (
        (snapshot_date, close_month, rep_email, team, region),
        (snapshot_date, close_month),
        (snapshot_date, close_month, region),
        (snapshot_date, close_month, team),
        (snapshot_date, close_quarter, rep_email, team, region),
        (snapshot_date, close_quarter),
        (snapshot_date, close_quarter, region),
        (snapshot_date, close_quarter, team)
    )
)
select
    grain,
    snapshot_date,
    close_month,
    close_quarter,
    rep_email,
    team,
    region,
    open_opportunity_count,
    open_pipeline_amount::double as open_pipeline_amount,
    weighted_pipeline_amount::double as weighted_pipeline_amount,
    pipeline_amount::double as pipeline_amount,
    best_case_amount::double as best_case_amount,
    commit_amount::double as commit_amount,
    omitted_amount::double as omitted_amount,
    closed_won_count,
    closed_won_amount::double as closed_won_amount,
    (closed_won_amount + commit_amount)::double as commit_forecast,
    (closed_won_amount + commit_amount + best_case_amount)::double as best_case_forecast,
    (closed_won_amount + commit_amount + best_case_amount + pipeline_amount)::double as pipeline_forecast,
    quota_amount::double as quota_amount,
    case when quota_amount is null or quota_amount = 0 then null
        else closed_won_amount::double / quota_amount::double end as quota_attainment
from grain_sums;

-- kpi_pipeline_forecast: per snapshot, close month and rep (sparse); rep_name from the CRM
-- User, team / region on the snapshot date.
create table marts.kpi_pipeline_forecast as
select
    forecast_grains.snapshot_date,
    forecast_grains.close_month,
    forecast_grains.rep_email,
    reps_by_email.rep_name,
    forecast_grains.team,
    forecast_grains.region,
    forecast_grains.* exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
left join reps_by_email
    on forecast_grains.rep_email = reps_by_email.rep_email
where forecast_grains.grain = 8;

-- kpi_pipeline_forecast_company: per snapshot and close month, whole company.
create table marts.kpi_pipeline_forecast_company as
select snapshot_date, close_month, * exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
where grain = 15;

-- kpi_pipeline_forecast_region: per snapshot, close month and region on the snapshot date.
create table marts.kpi_pipeline_forecast_region as
select snapshot_date, close_month, region, * exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
where grain = 14;

-- kpi_pipeline_forecast_team: per snapshot, close month and team on the snapshot date.
create table marts.kpi_pipeline_forecast_team as
select snapshot_date, close_month, team, * exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
where grain = 13;

-- kpi_pipeline_forecast_quarter: per snapshot, fiscal close quarter and rep (quotas of the
-- quarter's months added up); rep_name from the CRM User, team / region on the snapshot date.
create table marts.kpi_pipeline_forecast_quarter as
select
    forecast_grains.snapshot_date,
    forecast_grains.close_quarter,
    forecast_grains.rep_email,
    reps_by_email.rep_name,
    forecast_grains.team,
    forecast_grains.region,
    forecast_grains.* exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
left join reps_by_email
    on forecast_grains.rep_email = reps_by_email.rep_email
where forecast_grains.grain = 16;

-- kpi_pipeline_forecast_quarter_company: per snapshot and fiscal close quarter, whole company.
create table marts.kpi_pipeline_forecast_quarter_company as
select snapshot_date, close_quarter, * exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
where grain = 23;

-- kpi_pipeline_forecast_quarter_region: per snapshot, fiscal close quarter and region.
create table marts.kpi_pipeline_forecast_quarter_region as
select snapshot_date, close_quarter, region, * exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
where grain = 22;

-- kpi_pipeline_forecast_quarter_team: per snapshot, fiscal close quarter and team.
create table marts.kpi_pipeline_forecast_quarter_team as
select snapshot_date, close_quarter, team, * exclude (grain, snapshot_date, close_month, close_quarter, rep_email, team, region)
from forecast_grains
where grain = 21;

-- Forecast-accuracy sums per ended close month (month end before "now" = the newest drop
-- date loaded), rep e-mail, team and region (fct_forecast_accuracy_events): the won
-- opportunities of fct_opportunities closed in the month (team on the CloseDate) and, per
-- horizon of 30 / 60 / 90 days, the commit forecast (won + open Forecast) and weighted
-- pipeline of the month's open and won opportunities in the latest snapshot on or before
-- month end - horizon (team on the snapshot date), with that snapshot per month and horizon.
create temp table accuracy_grains as
with as_of as (
    -- "now": the newest complete drop's date (any system), set by the runner
    select getvariable('as_of_date')::date as as_of_date
),
won_events as (
    select
        fct_opportunities.close_month,
        fct_opportunities.owner_email as rep_email,
        fct_opportunities.owner_team as team,
        fct_opportunities.owner_region as region,
        fct_opportunities.amount_reporting
    from marts.fct_opportunities
    cross join as_of
    where fct_opportunities.is_closed
        and fct_opportunities.is_won
        and fct_opportunities.close_date is not null
        and last_day(fct_opportunities.close_month) < as_of.as_of_date
),
forecast_months as (
    select distinct close_month
    from forecast_rep_sums
    cross join as_of
    where forecast_opportunity_count > 0
        and last_day(close_month) < as_of.as_of_date
),
horizon_snapshots as (
    select
        forecast_months.close_month,
        horizons.horizon_days,
        max(snapshot_dates.snapshot_date) as snapshot_date
    from forecast_months
    cross join (values (30), (60), (90)) as horizons(horizon_days)
    inner join snapshot_dates
        on snapshot_dates.snapshot_date <= last_day(forecast_months.close_month) - horizons.horizon_days
    group by forecast_months.close_month, horizons.horizon_days
),
accuracy_events as (
    select
        close_month,
        rep_email,
        team,
        region,
        1 as won_count,
        amount_reporting::decimal(38, 6) as won_amount,
        null::integer as horizon_days,
        null::decimal(38, 6) as commit_amount,
        null::decimal(38, 6) as weighted_amount
    from won_events
    union all
    select
        forecast_rep_sums.close_month,
        forecast_rep_sums.rep_email,
        forecast_rep_sums.team,
        forecast_rep_sums.region,
        0 as won_count,
        null as won_amount,
        horizon_snapshots.horizon_days,
        forecast_rep_sums.closed_won_amount + forecast_rep_sums.commit_amount as commit_amount,
        forecast_rep_sums.weighted_pipeline_amount as weighted_amount
    from forecast_rep_sums
    inner join horizon_snapshots
        on forecast_rep_sums.close_month = horizon_snapshots.close_month
        and forecast_rep_sums.snapshot_date = horizon_snapshots.snapshot_date
    where forecast_rep_sums.forecast_opportunity_count > 0
),
accuracy_months as (
    -- per close month with an event: the snapshot each horizon reads (NULL when none)
    select
        months.close_month,
        max(snapshot_dates.snapshot_date) filter (where snapshot_dates.snapshot_date <= last_day(months.close_month) - 30) as snapshot_date_30d,
        max(snapshot_dates.snapshot_date) filter (where snapshot_dates.snapshot_date <= last_day(months.close_month) - 60) as snapshot_date_60d,
        max(snapshot_dates.snapshot_date) filter (where snapshot_dates.snapshot_date <= last_day(months.close_month) - 90) as snapshot_date_90d
    from (select distinct close_month from accuracy_events) as months
    left join snapshot_dates
        on snapshot_dates.snapshot_date <= last_day(months.close_month)
    group by months.close_month
),
grain_sums as (
    select
        grouping(rep_email, team, region) as grain,
        close_month,
        rep_email,
        team,
        region,
        sum(won_count)::bigint as won_count,
        coalesce(sum(won_amount), 0) as won_amount,
        coalesce(sum(commit_amount) filter (where horizon_days = 30), 0) as commit_forecast_30d,
        coalesce(sum(weighted_amount) filter (where horizon_days = 30), 0) as weighted_pipeline_30d,
        coalesce(sum(commit_amount) filter (where horizon_days = 60), 0) as commit_forecast_60d,
        coalesce(sum(weighted_amount) filter (where horizon_days = 60), 0) as weighted_pipeline_60d,
        coalesce(sum(commit_amount) filter (where horizon_days = 90), 0) as commit_forecast_90d,
        coalesce(sum(weighted_amount) filter (where horizon_days = 90), 0) as weighted_pipeline_90d
    from accuracy_events
    group by grouping sets ((close_month, rep_email), (close_month), (close_month, region), (close_month, team))
),
forecasts as (
    -- the forecast as it stood at each horizon's snapshot, unknown without one
    select
        grain_sums.grain,
        grain_sums.close_month,
        grain_sums.rep_email,
        grain_sums.team,
        grain_sums.region,
        grain_sums.won_count,
        grain_sums.won_amount,
        accuracy_months.snapshot_date_30d,
        case when accuracy_months.snapshot_date_30d is not null then grain_sums.commit_forecast_30d end as commit_forecast_30d,
        case when accuracy_months.snapshot_date_30d is not null then grain_sums.weighted_pipeline_30d end as weighted_pipeline_30d,
        accuracy_months.snapshot_date_60d,
        case when accuracy_months.snapshot_date_60d is not null then grain_sums.commit_forecast_60d end as commit_forecast_60d,
        case when accuracy_months.snapshot_date_60d is not null then grain_sums.weighted_pipeline_60d end as weighted_pipeline_60d,
        accuracy_months.snapshot_date_90d,
        case when accuracy_months.snapshot_date_90d is not null then grain_sums.commit_forecast_90d end as commit_forecast_90d,
        case when accuracy_months.snapshot_date_90d is not null then grain_sums.weighted_pipeline_90d end as weighted_pipeline_90d
    from grain_sums
    inner join accuracy_months
        on grain_sums.close_month = accuracy_months.close_month
)
select
    grain,
    close_month,
    rep_email,
    team,
    region,
    won_count,
    won_amount::double as won_amount,
    snapshot_date_30d,
    commit_forecast_30d::double as commit_forecast_30d,
    weighted_pipeline_30d::double as weighted_pipeline_30d,
    case when commit_forecast_30d is null or commit_forecast_30d = 0 then null
        else won_amount::double / commit_forecast_30d::double end as commit_accuracy_30d,
    case when weighted_pipeline_30d is null or weighted_pipeline_30d = 0 then null
        else won_amount::double / weighted_pipeline_30d::double end as weighted_accuracy_30d,
    snapshot_date_60d,
    commit_forecast_60d::double as commit_forecast_60d,
    weighted_pipeline_60d::double as weighted_pipeline_60d,
    case when commit_forecast_60d is null or commit_forecast_60d = 0 then null
        else won_amount::double / commit_forecast_60d::double end as commit_accuracy_60d,
    case when weighted_pipeline_60d is null or weighted_pipeline_60d = 0 then null
        else won_amount::double / weighted_pipeline_60d::double end as weighted_accuracy_60d,
    snapshot_date_90d,
    commit_forecast_90d::double as commit_forecast_90d,
    weighted_pipeline_90d::double as weighted_pipeline_90d,
    case when commit_forecast_90d is null or commit_forecast_90d = 0 then null
        else won_amount::double / commit_forecast_90d::double end as commit_accuracy_90d,
    case when weighted_pipeline_90d is null or weighted_pipeline_90d = 0 then null
        else won_amount::double / weighted_pipeline_90d::double end as weighted_accuracy_90d
from forecasts;

-- kpi_forecast_accuracy: per ended close month and rep (sparse); rep_name from the CRM User,
-- team / region the rep's on the last day of the month.
create table marts.kpi_forecast_accuracy as
select
    accuracy_grains.close_month,
    accuracy_grains.rep_email,
    reps_by_email.rep_name,
    worker_periods.team,
    worker_periods.region,
    accuracy_grains.* exclude (grain, close_month, rep_email, team, region)
from accuracy_grains
left join reps_by_email
    on accuracy_grains.rep_email = reps_by_email.rep_email
left join staging.int_hr__worker_periods as worker_periods
    on accuracy_grains.rep_email = worker_periods.work_email
    and worker_periods.valid_from <= last_day(accuracy_grains.close_month)
    and (worker_periods.valid_to is null or last_day(accuracy_grains.close_month) <= worker_periods.valid_to)
where accuracy_grains.grain = 3;

-- kpi_forecast_accuracy_company: per ended close month, whole company.
create table marts.kpi_forecast_accuracy_company as
select close_month, * exclude (grain, close_month, rep_email, team, region)
from accuracy_grains
where grain = 7;

-- kpi_forecast_accuracy_region: per ended close month and region (won deal: region on its
-- CloseDate; forecast: region on the snapshot date; no HR match = NULL region).
create table marts.kpi_forecast_accuracy_region as
select close_month, region, * exclude (grain, close_month, rep_email, team, region)
from accuracy_grains
where grain = 6;

-- kpi_forecast_accuracy_team: per ended close month and team (same attribution as region).
create table marts.kpi_forecast_accuracy_team as
select close_month, team, * exclude (grain, close_month, rep_email, team, region)
from accuracy_grains
where grain = 5;

-- Quota-attainment measures per month of every grain (fct_quota_attainment_events):
-- won opportunities of fct_opportunities in their close month (team on the CloseDate) and
-- quotas in their month (team on the StartDate).
create temp table quota_attainment_grains as
with attainment_events as (
    select
        close_month as month,
        owner_email as rep_email,
        owner_team as team,
        owner_region as region,
        1 as won_count,
        amount_reporting::decimal(38, 6) as won_amount,
        null::decimal(38, 6) as quota_amount
    from marts.fct_opportunities
    where is_closed
        and is_won
        and close_date is not null
    union all
    select
        quota_month,
        rep_email,
        start_team,
        start_region,
        0,
        null,
        quota_amount_reporting::decimal(38, 6)
    from quota_rows
),
grain_sums as (
    select
        grouping(rep_email, team, region) as grain,
        month,
        rep_email,
        team,
        region,
        sum(won_count)::bigint as won_count,
        coalesce(sum(won_amount), 0) as won_amount,
        coalesce(sum(quota_amount), 0) as quota_amount
    from attainment_events
    group by grouping sets ((month, rep_email), (month), (month, region), (month, team))
)
select
    grain,
    month,
    rep_email,
    team,
    region,
    won_count,
    won_amount::double as won_amount,
    quota_amount::double as quota_amount,
    case when quota_amount is null or quota_amount = 0 then null
        else won_amount::double / quota_amount::double end as quota_attainment
from grain_sums;

-- kpi_quota_attainment: per month and rep (sparse: a won deal or a quota); rep_name from the
-- CRM User, team / region the rep's on the last day of the month.
create table marts.kpi_quota_attainment as
select
    quota_attainment_grains.month,
    quota_attainment_grains.rep_email,
    reps_by_email.rep_name,
    worker_periods.team,
    worker_periods.region,
    quota_attainment_grains.* exclude (grain, month, rep_email, team, region)
from quota_attainment_grains
left join reps_by_email
    on quota_attainment_grains.rep_email = reps_by_email.rep_email
left join staging.int_hr__worker_periods as worker_periods
    on quota_attainment_grains.rep_email = worker_periods.work_email
    and worker_periods.valid_from <= last_day(quota_attainment_grains.month)
    and (worker_periods.valid_to is null or last_day(quota_attainment_grains.month) <= worker_periods.valid_to)
where quota_attainment_grains.grain = 3;

-- kpi_quota_attainment_company: per month, whole company.
create table marts.kpi_quota_attainment_company as
select month, * exclude (grain, month, rep_email, team, region)
from quota_attainment_grains
where grain = 7;

-- kpi_quota_attainment_region: per month and region (won deal: region on its CloseDate; quota:
-- region on its StartDate; no HR match = NULL region).
create table marts.kpi_quota_attainment_region as
select month, region, * exclude (grain, month, rep_email, team, region)
from quota_attainment_grains
where grain = 6;

-- kpi_quota_attainment_team: per month and team (same attribution as region).
create table marts.kpi_quota_attainment_team as
select month, team, * exclude (grain, month, rep_email, team, region)
from quota_attainment_grains
where grain = 5;

drop table quota_attainment_grains;
drop table accuracy_grains;
drop table forecast_grains;
drop table forecast_rep_sums;
drop table quota_rows;
drop table day_rates;
drop table snapshot_rep_attributes;
drop table snapshot_dates;
drop table reps_by_email;
