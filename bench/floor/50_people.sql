-- People marts (models/marts/people): training, retention, new-hire attrition, training impact.
-- Reads staging.stg_*, staging.int_hr__worker_periods (the pipeline's int_hr__worker_periods:
-- effective-dated HR periods per work e-mail) and the core marts only. Shared work is kept in
-- temp tables (dropped at the end of the section):
--   people_as_of          "now" (newest extract date loaded, any system) and the newest HR drop date
--   people_spans          fct_employment: employment spans (a rehire is a new span)
--   people_reps           int_crm__reps_by_email: one CRM User per e-mail
--   people_training_sums  fct_training_measures summed in one pass at every training grain
--   people_retention_sums fct_headcount_monthly summed at every retention grain, dense, with t12m
--   people_new_hire_sums  dim_rep_ramp summed at every new-hire grain

-- "now": getvariable('as_of_date'), the newest complete drop's date (any system) that the runner
-- sets, as the pipeline's int_as_of_date reads it from raw.load_drops.
create temp table people_as_of as
with hr_drops as (
    select max(drop_date) as hr_as_of_date
    from staging.stg_hr__workers
)

select
    getvariable('as_of_date')::date as as_of_date,
    hr_drops.hr_as_of_date
from hr_drops;

-- Employment spans: one per (employee_id, hire_date), attributes from its latest HR row.
create temp table people_spans as
with span_rows as (
    select
        employee_id,
        work_email,
        full_name,
        hire_date,
        termination_date,
        termination_type,
        is_regrettable
    from staging.stg_hr__workers
    where hire_date is not null
    qualify row_number() over (
        partition by employee_id, hire_date
        order by effective_date desc nulls last
    ) = 1
)

select
    employee_id,
    row_number() over (partition by employee_id order by hire_date asc)::integer as span_number,
    work_email,
    full_name,
    hire_date,
    termination_date,
    termination_type,
    is_regrettable,
    date_trunc('month', hire_date)::date as hire_month
from span_rows;

-- One CRM User per e-mail: the active one, then the most recently modified, then the smallest Id.
create temp table people_reps as
select
    email as rep_email,
    user_name as rep_name
from staging.stg_crm__users
where email is not null
qualify row_number() over (
    partition by email
    order by case when is_active then 0 else 1 end asc, system_modstamp desc nulls last, user_id asc nulls last
) = 1;

-- Training measures summed per (month, rep), (month, team), (month, region) and month in one
-- pass. One measure row per learning statement (completed / passed: training seconds and, for
-- the first of a rep, course and month, a course completed; passed / failed with a scaled
-- score: a scored attempt) and per assignment (in its due month: due, on time, overdue), with
-- the team / region in force on the statement date / due date, for reps (CRM User e-mails)
-- only. Sums are exact decimals.
-- grain_id: 3 = rep, 5 = team, 6 = region, 7 = company.
create temp table people_training_sums as
with learning_statements as (
    select
        statements.statement_id,
        statements.actor_email as rep_email,
        statements.verb,
        statements.course_id,
        statements.statement_at,
        statements.statement_date,
        date_trunc('month', statements.statement_date)::date as month,
        statements.verb in ('completed', 'passed') as is_completion,
        case
            when statements.result_duration_seconds is not null
                then statements.result_duration_seconds / 3600.0
            when statements.verb in ('completed', 'passed')
                then courses.expected_hours
        end::double as hours,
        statements.result_score_scaled as scaled_score
    from staging.stg_lms__statements as statements
    left join staging.stg_lms__courses as courses
        on statements.course_id = courses.course_id
    where statements.verb in ('completed', 'passed', 'failed')
),

statement_measures as (
    select
        month,
        rep_email,
        statement_date as event_date,
        case when is_completion then (hours * 3600)::double end as training_seconds,
        case
            when is_completion
                and row_number() over (
                    partition by rep_email, course_id, month, is_completion
                    order by statement_at asc nulls last, statement_id asc
                ) = 1
                then 1
            else 0
        end as courses_completed,
        0 as assignments_due,
        0 as assignments_completed_on_time,
        0 as overdue_assignments,
        case when verb in ('passed', 'failed') and scaled_score is not null then 1 else 0 end as scored_attempts,
        case when verb in ('passed', 'failed') then scaled_score end as scaled_score
    from learning_statements
    qualify is_completion
        or (verb in ('passed', 'failed') and scaled_score is not null)
),

assignment_cutoffs as (
    select
        assignments.work_email,
        assignments.course_id,
        assignments.assigned_date,
        assignments.due_date,
        case
            when people_as_of.as_of_date is not null and people_as_of.as_of_date < last_day(assignments.due_date)
                then people_as_of.as_of_date
            else last_day(assignments.due_date)
        end as overdue_cutoff_date
    from staging.stg_lms__assignments as assignments
    cross join people_as_of
    where assignments.due_date is not null
),

assignment_measures as (
    select
        date_trunc('month', assignment_cutoffs.due_date)::date as month,
        assignment_cutoffs.work_email as rep_email,
        assignment_cutoffs.due_date as event_date,
        null::double as training_seconds,
        0 as courses_completed,
        1 as assignments_due,
        case when count(case when completions.statement_date <= assignment_cutoffs.due_date then 1 end) > 0
            then 1 else 0 end as assignments_completed_on_time,
        case
            when assignment_cutoffs.due_date <= assignment_cutoffs.overdue_cutoff_date
                and count(case when completions.statement_date <= assignment_cutoffs.overdue_cutoff_date then 1 end) = 0
                then 1
            else 0
        end as overdue_assignments,
        0 as scored_attempts,
        null::double as scaled_score
    from assignment_cutoffs
    left join learning_statements as completions
        on assignment_cutoffs.work_email = completions.rep_email
        and assignment_cutoffs.course_id = completions.course_id
        and completions.is_completion
    group by
        assignment_cutoffs.work_email,
        assignment_cutoffs.course_id,
        assignment_cutoffs.assigned_date,
        assignment_cutoffs.due_date,
        assignment_cutoffs.overdue_cutoff_date
),

measure_rows as (
    select * from statement_measures
    union all
    select * from assignment_measures
)

select
    grouping(measure_rows.rep_email, worker_periods.team, worker_periods.region) as grain_id,
    measure_rows.month,
    measure_rows.rep_email,
    worker_periods.team,
    worker_periods.region,
    sum(measure_rows.training_seconds::decimal(38, 6)) as training_seconds,
    sum(measure_rows.courses_completed)::bigint as courses_completed,
    sum(measure_rows.assignments_due)::bigint as assignments_due,
    sum(measure_rows.assignments_completed_on_time)::bigint as assignments_completed_on_time,
    sum(measure_rows.overdue_assignments)::bigint as overdue_assignments,
    sum(measure_rows.scored_attempts)::bigint as scored_attempts,
    sum(measure_rows.scaled_score::decimal(38, 6))::double as scaled_score_sum
from measure_rows
-- reps only: a learner whose e-mail is no CRM User's is in no training mart (issue 12)
inner join people_reps
    on measure_rows.rep_email = people_reps.rep_email
left join staging.int_hr__worker_periods as worker_periods
    on measure_rows.rep_email = worker_periods.work_email
    and worker_periods.valid_from <= measure_rows.event_date
    and (worker_periods.valid_to is null or measure_rows.event_date <= worker_periods.valid_to)
group by grouping sets (
    (measure_rows.month, measure_rows.rep_email),
    (measure_rows.month, worker_periods.team),
    (measure_rows.month, worker_periods.region),
    (measure_rows.month)
);

-- kpi_training: training per rep and month (sparse), with the CRM User's name and the HR team /
-- region in force on the month's last day.
create table marts.kpi_training as
select
    sums.month,
    sums.rep_email::varchar as rep_email,
    people_reps.rep_name::varchar as rep_name,
    month_end_periods.team::varchar as team,
    month_end_periods.region::varchar as region,
    (coalesce(sums.training_seconds, 0) / 3600.0)::double as training_hours,
    sums.courses_completed,
    sums.assignments_due,
    sums.assignments_completed_on_time,
    case when sums.assignments_due = 0 then null
        else sums.assignments_completed_on_time::double / sums.assignments_due::double end as on_time_completion_rate,
    sums.overdue_assignments,
    sums.scored_attempts,
    case when sums.scored_attempts is null or sums.scored_attempts = 0 then null
        else sums.scaled_score_sum / sums.scored_attempts::double end as avg_scaled_score
from people_training_sums as sums
left join people_reps
    on sums.rep_email = people_reps.rep_email
left join staging.int_hr__worker_periods as month_end_periods
    on sums.rep_email = month_end_periods.work_email
    and month_end_periods.valid_from <= last_day(sums.month)
    and (month_end_periods.valid_to is null or last_day(sums.month) <= month_end_periods.valid_to)
where sums.grain_id = 3;

-- kpi_training_team: training per team (in force on each event's date) and month.
create table marts.kpi_training_team as
select
    month,
    team::varchar as team,
    (coalesce(training_seconds, 0) / 3600.0)::double as training_hours,
    courses_completed,
    assignments_due,
    assignments_completed_on_time,
    case when assignments_due = 0 then null
        else assignments_completed_on_time::double / assignments_due::double end as on_time_completion_rate,
    overdue_assignments,
    scored_attempts,
    case when scored_attempts is null or scored_attempts = 0 then null
        else scaled_score_sum / scored_attempts::double end as avg_scaled_score
from people_training_sums
where grain_id = 5;

-- kpi_training_region: training per region (in force on each event's date) and month.
create table marts.kpi_training_region as
select
    month,
    region::varchar as region,
    (coalesce(training_seconds, 0) / 3600.0)::double as training_hours,
    courses_completed,
    assignments_due,
    assignments_completed_on_time,
    case when assignments_due = 0 then null
        else assignments_completed_on_time::double / assignments_due::double end as on_time_completion_rate,
    overdue_assignments,
    scored_attempts,
    case when scored_attempts is null or scored_attempts = 0 then null
        else scaled_score_sum / scored_attempts::double end as avg_scaled_score
from people_training_sums
where grain_id = 6;

-- kpi_training_company: training of the whole company per month.
create table marts.kpi_training_company as
select
    month,
    (coalesce(training_seconds, 0) / 3600.0)::double as training_hours,
    courses_completed,
    assignments_due,
    assignments_completed_on_time,
    case when assignments_due = 0 then null
        else assignments_completed_on_time::double / assignments_due::double end as on_time_completion_rate,
    overdue_assignments,
    scored_attempts,
    case when scored_attempts is null or scored_attempts = 0 then null
        else scaled_score_sum / scored_attempts::double end as avg_scaled_score
from people_training_sums
where grain_id = 7;

-- kpi_training_impact: per fiscal quarter with training and whose next quarter has started,
-- CRM reps employed on the quarter's last day bucketed into training-hour quartiles, and each
-- bucket's closed deals and quota attainment in the next quarter.
create table marts.kpi_training_impact as
with quarters as (
    select
        training_quarters.quarter,
        (training_quarters.quarter + interval 3 month - interval 1 day)::date as quarter_end,
        (training_quarters.quarter + interval 3 month)::date as next_quarter,
        (training_quarters.quarter + interval 6 month - interval 1 day)::date as next_quarter_end,
        people_as_of.as_of_date
    from (
        select distinct dim_dates.fiscal_quarter_start as quarter
        from people_training_sums as sums
        inner join marts.dim_dates
            on sums.month = dim_dates.date_day
        where sums.grain_id = 7
    ) as training_quarters
    cross join people_as_of
    where people_as_of.as_of_date >= (training_quarters.quarter + interval 3 month)::date
),

population as (
    select
        quarters.quarter,
        people_reps.rep_email
    from quarters
    cross join people_reps
    where exists (
        select 1
        from people_spans as spans
        where spans.work_email = people_reps.rep_email
            and spans.hire_date <= quarters.quarter_end
            and (spans.termination_date is null or quarters.quarter_end <= spans.termination_date)
    )
),

rep_hours as (
    select
        population.quarter,
        population.rep_email,
        (coalesce(sum(rep_months.training_seconds), 0) / 3600.0)::double as training_hours
    from population
    inner join quarters
        on population.quarter = quarters.quarter
    left join people_training_sums as rep_months
        on rep_months.grain_id = 3
        and population.rep_email = rep_months.rep_email
        and rep_months.month >= quarters.quarter
        and rep_months.month <= quarters.quarter_end
    group by population.quarter, population.rep_email
),

rep_buckets as (
    select
        rep_hours.*,
        ntile(4) over (
            partition by rep_hours.quarter
            order by rep_hours.training_hours asc, rep_hours.rep_email asc
        ) as training_quartile
    from rep_hours
),

closed_deals as (
    select
        owner_email as rep_email,
        close_date,
        is_won,
        amount_reporting
    from marts.fct_opportunities
    where is_closed
        and close_date is not null
),

rep_outcomes as (
    select
        rep_buckets.quarter,
        rep_buckets.rep_email,
        count(case when closed_deals.is_won then 1 end) as won_count,
        count(case when not closed_deals.is_won then 1 end) as lost_count,
        count(case when closed_deals.is_won and closed_deals.amount_reporting is not null then 1 end)
            as won_with_amount_count,
        sum((case when closed_deals.is_won then closed_deals.amount_reporting end)::decimal(38, 6)) as won_amount
    from rep_buckets
    inner join quarters
        on rep_buckets.quarter = quarters.quarter
    left join closed_deals
        on rep_buckets.rep_email = closed_deals.rep_email
        and closed_deals.close_date >= quarters.next_quarter
        and closed_deals.close_date <= quarters.next_quarter_end
    group by rep_buckets.quarter, rep_buckets.rep_email
),

rate_coverage as (
    select
        count(*) as rate_count,
        count(case when iso_code = 'USD' then 1 end) as reporting_rate_count
    from staging.stg_crm__dated_conversion_rates
),

quotas as (
    select *
    from staging.stg_crm__forecasting_quotas
    where start_date is not null
),

quota_rates as (
    select
        quotas.forecasting_quota_id,
        max(case when rates.iso_code = quotas.currency_iso_code then rates.conversion_rate end) as quota_currency_rate,
        max(case when rates.iso_code = 'USD' then rates.conversion_rate end) as reporting_currency_rate
    from quotas
    inner join staging.stg_crm__dated_conversion_rates as rates
        on rates.iso_code in (quotas.currency_iso_code, 'USD')
        and rates.start_date <= quotas.start_date
        and (rates.next_start_date is null or quotas.start_date < rates.next_start_date)
    group by quotas.forecasting_quota_id
),

-- ForecastingQuota amounts in USD on the quota's StartDate (int_people__quotas)
reporting_quotas as (
    select
        users.email as rep_email,
        quotas.start_date,
        case
            when quotas.quota_amount is null then null
            when rate_coverage.rate_count = 0 then quotas.quota_amount
            when quotas.currency_iso_code = 'USD' then quotas.quota_amount
            when rate_coverage.reporting_rate_count = 0 and quota_rates.quota_currency_rate is not null
                then quotas.quota_amount / quota_rates.quota_currency_rate
            when quota_rates.quota_currency_rate is null or quota_rates.reporting_currency_rate is null
                then null
            else quotas.quota_amount / quota_rates.quota_currency_rate * quota_rates.reporting_currency_rate
        end::double as quota_amount_reporting
    from quotas
    cross join rate_coverage
    left join quota_rates
        on quotas.forecasting_quota_id = quota_rates.forecasting_quota_id
    left join staging.stg_crm__users as users
        on quotas.quota_owner_id = users.user_id
),

rep_quotas as (
    select
        rep_buckets.quarter,
        rep_buckets.rep_email,
        sum(reporting_quotas.quota_amount_reporting::decimal(38, 6)) as quota_amount
    from rep_buckets
    inner join quarters
        on rep_buckets.quarter = quarters.quarter
    inner join reporting_quotas
        on rep_buckets.rep_email = reporting_quotas.rep_email
        and reporting_quotas.start_date >= quarters.next_quarter
        and reporting_quotas.start_date <= quarters.next_quarter_end
        and reporting_quotas.start_date <= quarters.as_of_date
    group by rep_buckets.quarter, rep_buckets.rep_email
),

bucket_sums as (
    select
        rep_buckets.quarter,
        rep_buckets.training_quartile,
        count(*)::bigint as reps,
        min(rep_buckets.training_hours)::double as min_training_hours,
        max(rep_buckets.training_hours)::double as max_training_hours,
        avg(rep_buckets.training_hours)::double as avg_training_hours,
        sum(rep_outcomes.won_count)::bigint as next_quarter_won_count,
        sum(rep_outcomes.lost_count)::bigint as next_quarter_lost_count,
        sum(rep_outcomes.won_with_amount_count)::bigint as next_quarter_won_with_amount_count,
        coalesce(sum(rep_outcomes.won_amount), 0)::double as next_quarter_won_amount,
        count(rep_quotas.rep_email)::bigint as reps_with_quota,
        sum(rep_quotas.quota_amount)::double as next_quarter_quota_amount,
        sum(case when rep_quotas.rep_email is not null then coalesce(rep_outcomes.won_amount, 0) end)::double
            as next_quarter_quota_won_amount
    from rep_buckets
    inner join rep_outcomes
        on rep_buckets.quarter = rep_outcomes.quarter
        and rep_buckets.rep_email = rep_outcomes.rep_email
    left join rep_quotas
        on rep_buckets.quarter = rep_quotas.quarter
        and rep_buckets.rep_email = rep_quotas.rep_email
    group by rep_buckets.quarter, rep_buckets.training_quartile
)

select
    bucket_sums.quarter,
    bucket_sums.training_quartile::integer as training_quartile,
    quarters.next_quarter,
    quarters.as_of_date >= quarters.next_quarter_end as is_next_quarter_complete,
    bucket_sums.reps,
    bucket_sums.min_training_hours,
    bucket_sums.max_training_hours,
    bucket_sums.avg_training_hours,
    bucket_sums.next_quarter_won_count,
    bucket_sums.next_quarter_lost_count,
    case
        when bucket_sums.next_quarter_won_count + bucket_sums.next_quarter_lost_count = 0 then null
        else bucket_sums.next_quarter_won_count::double
            / (bucket_sums.next_quarter_won_count + bucket_sums.next_quarter_lost_count)::double
    end as next_quarter_win_rate_count,
    bucket_sums.next_quarter_won_amount,
    case
        when bucket_sums.next_quarter_won_with_amount_count is null or bucket_sums.next_quarter_won_with_amount_count = 0 then null
        else bucket_sums.next_quarter_won_amount / bucket_sums.next_quarter_won_with_amount_count::double
    end as next_quarter_avg_won_amount,
    bucket_sums.reps_with_quota,
    bucket_sums.next_quarter_quota_amount,
    case
        when bucket_sums.next_quarter_quota_amount is null or bucket_sums.next_quarter_quota_amount = 0 then null
        else bucket_sums.next_quarter_quota_won_amount / bucket_sums.next_quarter_quota_amount
    end as next_quarter_quota_attainment
from bucket_sums
inner join quarters
    on bucket_sums.quarter = quarters.quarter;

-- Retention sums per month at the company, team, region and role grains: every employment span
-- counted in headcount on the month's first and last day (the newest HR drop for the month still
-- running) under the group in force that day, and as a separation under the group in force on
-- its termination date; the month x group grid is dense, with trailing-12-month windows.
create temp table people_retention_sums as
with months as (
    select
        (bounds.first_month + to_months(month_numbers.month_index))::date as month,
        month_numbers.month_index::integer as month_index,
        least(bounds.hr_as_of_date, last_day((bounds.first_month + to_months(month_numbers.month_index))::date))
            as period_end
    from (
        select
            date_trunc('month', min(workers.hire_date))::date as first_month,
            max(workers.drop_date) as hr_as_of_date
        from staging.stg_hr__workers as workers
    ) as bounds
    cross join range(0, 1200) as month_numbers(month_index)
    where bounds.first_month is not null
        and bounds.hr_as_of_date is not null
        and bounds.first_month + to_months(month_numbers.month_index) <= bounds.hr_as_of_date
),

span_months as (
    select
        months.month,
        months.period_end,
        spans.work_email,
        spans.termination_date,
        spans.termination_type,
        spans.is_regrettable,
        spans.hire_date <= months.month
            and (spans.termination_date is null or months.month <= spans.termination_date) as is_employed_start,
        spans.hire_date <= months.period_end
            and (spans.termination_date is null or months.period_end <= spans.termination_date) as is_employed_end,
        coalesce(spans.termination_date >= months.month and spans.termination_date <= months.period_end, false)
            as is_separation
    from people_spans as spans
    inner join months
        on spans.hire_date <= months.period_end
        and (spans.termination_date is null or spans.termination_date >= months.month)
),

-- one event per headcount day / separation, with the group in force on its day
day_events as (
    select
        span_months.month,
        span_months.work_email,
        span_months.month as event_day,
        1 as headcount_start,
        0 as headcount_end,
        0 as separations,
        0 as voluntary_separations,
        0 as involuntary_separations,
        0 as regrettable_separations
    from span_months
    where span_months.is_employed_start

    union all

    select
        span_months.month,
        span_months.work_email,
        span_months.period_end,
        0, 1, 0, 0, 0, 0
    from span_months
    where span_months.is_employed_end

    union all

    select
        span_months.month,
        span_months.work_email,
        span_months.termination_date,
        0, 0, 1,
        case when span_months.termination_type = 'voluntary' then 1 else 0 end,
        case when span_months.termination_type = 'involuntary' then 1 else 0 end,
        case when span_months.is_regrettable then 1 else 0 end
    from span_months
    where span_months.is_separation
),

events_in_force as (
    select
        day_events.*,
        periods.team,
        periods.region,
        periods.job_title as role
    from day_events
    left join staging.int_hr__worker_periods as periods
        on day_events.work_email = periods.work_email
        and periods.valid_from <= day_events.event_day
        and (periods.valid_to is null or day_events.event_day <= periods.valid_to)
),

group_sums as (
    select
        case grouping(team, region, role) when 3 then 'team' when 5 then 'region' when 6 then 'role' else 'company' end
            as grain,
        month,
        coalesce(team, region, role) as group_value,
        sum(headcount_start)::bigint as headcount_start,
        sum(headcount_end)::bigint as headcount_end,
        sum(separations)::bigint as separations,
        sum(voluntary_separations)::bigint as voluntary_separations,
        sum(involuntary_separations)::bigint as involuntary_separations,
        sum(regrettable_separations)::bigint as regrettable_separations
    from events_in_force
    group by grouping sets ((month, team), (month, region), (month, role), (month))
),

group_values as (
    select distinct grain, group_value
    from group_sums
    union
    select 'company', null::varchar
),

monthly_rates as (
    select
        group_values.grain,
        months.month,
        months.month_index,
        group_values.group_value,
        coalesce(group_sums.headcount_start, 0) as headcount_start,
        coalesce(group_sums.headcount_end, 0) as headcount_end,
        ((coalesce(group_sums.headcount_start, 0) + coalesce(group_sums.headcount_end, 0)) / 2.0)::double
            as avg_headcount,
        coalesce(group_sums.separations, 0) as separations,
        coalesce(group_sums.voluntary_separations, 0) as voluntary_separations,
        coalesce(group_sums.involuntary_separations, 0) as involuntary_separations,
        coalesce(group_sums.regrettable_separations, 0) as regrettable_separations
    from group_values
    cross join months
    left join group_sums
        on group_values.grain = group_sums.grain
        and months.month = group_sums.month
        and group_values.group_value is not distinct from group_sums.group_value
),

trailing_sums as (
    select
        monthly_rates.*,
        sum(separations) over trailing_year as trailing_separations,
        sum(avg_headcount) over trailing_year / 12.0 as trailing_avg_headcount
    from monthly_rates
    window trailing_year as (
        partition by grain, group_value
        order by month asc
        rows between 11 preceding and current row
    )
)

select
    grain,
    month,
    group_value,
    headcount_start,
    headcount_end,
    avg_headcount,
    separations,
    voluntary_separations,
    involuntary_separations,
    regrettable_separations,
    case when avg_headcount = 0 then null else separations::double / avg_headcount end as turnover_rate,
    (1 - case when avg_headcount = 0 then null else separations::double / avg_headcount end)::double as retention_rate,
    (case when month_index >= 11 then trailing_separations end)::bigint as separations_t12m,
    (case when month_index >= 11 then trailing_avg_headcount end)::double as avg_headcount_t12m,
    (case
        when month_index >= 11 and trailing_avg_headcount is not null and trailing_avg_headcount <> 0
            then trailing_separations::double / trailing_avg_headcount
    end)::double as turnover_rate_t12m,
    grain = 'company'
        or headcount_start > 0
        or headcount_end > 0
        or separations > 0
        or trailing_separations > 0
        or trailing_avg_headcount > 0 as is_published
from trailing_sums;

-- kpi_retention_company: retention of the whole organisation, every month of the series.
create table marts.kpi_retention_company as
select
    month, headcount_start, headcount_end, avg_headcount, separations, voluntary_separations,
    involuntary_separations, regrettable_separations, turnover_rate, retention_rate,
    separations_t12m, avg_headcount_t12m, turnover_rate_t12m
from people_retention_sums
where grain = 'company';

-- kpi_retention_team: retention per team (in force on the day counted) and month.
create table marts.kpi_retention_team as
select
    month, group_value::varchar as team, headcount_start, headcount_end, avg_headcount, separations,
    voluntary_separations, involuntary_separations, regrettable_separations, turnover_rate,
    retention_rate, separations_t12m, avg_headcount_t12m, turnover_rate_t12m
from people_retention_sums
where grain = 'team' and is_published;

-- kpi_retention: the published retention interface, the same rows as kpi_retention_team.
create table marts.kpi_retention as
select *
from marts.kpi_retention_team;

-- kpi_retention_region: retention per HR region (in force on the day counted) and month.
create table marts.kpi_retention_region as
select
    month, group_value::varchar as region, headcount_start, headcount_end, avg_headcount, separations,
    voluntary_separations, involuntary_separations, regrettable_separations, turnover_rate,
    retention_rate, separations_t12m, avg_headcount_t12m, turnover_rate_t12m
from people_retention_sums
where grain = 'region' and is_published;

-- kpi_retention_role: retention per HR job title (in force on the day counted) and month.
create table marts.kpi_retention_role as
select
    month, group_value::varchar as role, headcount_start, headcount_end, avg_headcount, separations,
    voluntary_separations, involuntary_separations, regrettable_separations, turnover_rate,
    retention_rate, separations_t12m, avg_headcount_t12m, turnover_rate_t12m
from people_retention_sums
where grain = 'role' and is_published;

-- New-hire cohorts (dim_rep_ramp summed): per hire month, and per team / region in force on the
-- hire date, hires, 90-day attrition and ramp days to the first won deal within the span
-- (measurable for hires on or after the earliest opportunity CreatedDate).
-- grain_id: 1 = team, 2 = region, 3 = company.
create temp table people_new_hire_sums as
with crm_history as (
    select min(created_date) as crm_history_start
    from marts.fct_opportunities
),

won_deals as (
    select
        owner_email,
        close_date
    from marts.fct_opportunities
    where is_won
        and is_closed
        and close_date is not null
        and owner_email is not null
),

first_wins as (
    select
        spans.employee_id,
        spans.span_number,
        min(won_deals.close_date) as first_won_close_date
    from people_spans as spans
    inner join won_deals
        on spans.work_email = won_deals.owner_email
        and won_deals.close_date >= spans.hire_date
        and (spans.termination_date is null or won_deals.close_date <= spans.termination_date)
    group by spans.employee_id, spans.span_number
),

rep_ramp as (
    select
        spans.hire_month,
        hire_periods.team,
        hire_periods.region,
        spans.hire_date + 90 <= people_as_of.hr_as_of_date as is_90_day_window_complete,
        coalesce(spans.termination_date <= spans.hire_date + 90, false) as left_within_90_days,
        case
            when crm_history.crm_history_start is not null and spans.hire_date >= crm_history.crm_history_start
                then date_diff('day', spans.hire_date, first_wins.first_won_close_date)
        end as ramp_days
    from people_spans as spans
    cross join crm_history
    cross join people_as_of
    left join first_wins
        on spans.employee_id = first_wins.employee_id
        and spans.span_number = first_wins.span_number
    left join staging.int_hr__worker_periods as hire_periods
        on spans.work_email = hire_periods.work_email
        and hire_periods.valid_from <= spans.hire_date
        and (hire_periods.valid_to is null or spans.hire_date <= hire_periods.valid_to)
)

select
    grouping(team, region) as grain_id,
    hire_month as month,
    team,
    region,
    count(*)::bigint as hires,
    count(case when is_90_day_window_complete then 1 end)::bigint as hires_90_day_window_complete,
    count(case when left_within_90_days then 1 end)::bigint as left_within_90_days,
    count(ramp_days)::bigint as ramped_hires,
    avg(ramp_days::double)::double as avg_ramp_days,
    quantile_cont(ramp_days::double, 0.5)::double as median_ramp_days
from rep_ramp
group by grouping sets ((hire_month, team), (hire_month, region), (hire_month));

-- kpi_new_hire_attrition_team: new-hire attrition and ramp per cohort month and team at hire.
create table marts.kpi_new_hire_attrition_team as
select
    month,
    team::varchar as team,
    hires,
    hires_90_day_window_complete,
    left_within_90_days,
    case when hires = 0 then null else left_within_90_days::double / hires::double end as new_hire_attrition_rate_90d,
    hires_90_day_window_complete = hires as is_cohort_complete,
    ramped_hires,
    avg_ramp_days,
    median_ramp_days
from people_new_hire_sums
where grain_id = 1;

-- kpi_new_hire_attrition: the published interface, the same rows as kpi_new_hire_attrition_team.
create table marts.kpi_new_hire_attrition as
select *
from marts.kpi_new_hire_attrition_team;

-- kpi_new_hire_attrition_region: new-hire attrition and ramp per cohort month and region at hire.
create table marts.kpi_new_hire_attrition_region as
select
    month,
    region::varchar as region,
    hires,
    hires_90_day_window_complete,
    left_within_90_days,
    case when hires = 0 then null else left_within_90_days::double / hires::double end as new_hire_attrition_rate_90d,
    hires_90_day_window_complete = hires as is_cohort_complete,
    ramped_hires,
    avg_ramp_days,
    median_ramp_days
from people_new_hire_sums
where grain_id = 2;

-- kpi_new_hire_attrition_company: new-hire attrition and ramp per cohort month, whole company.
create table marts.kpi_new_hire_attrition_company as
select
    month,
    hires,
    hires_90_day_window_complete,
    left_within_90_days,
    case when hires = 0 then null else left_within_90_days::double / hires::double end as new_hire_attrition_rate_90d,
    hires_90_day_window_complete = hires as is_cohort_complete,
    ramped_hires,
    avg_ramp_days,
    median_ramp_days
from people_new_hire_sums
where grain_id = 3;

drop table people_new_hire_sums;
drop table people_retention_sums;
drop table people_training_sums;
drop table people_reps;
drop table people_spans;
drop table people_as_of;
