-- Training impact (METRICS.md section 1): reps bucketed into quartiles by their training hours
-- in a fiscal quarter, and each bucket's results in the NEXT fiscal quarter. Population of a
-- quarter: CRM Users whose e-mail matches an HR worker employed on the quarter's last day (reps
-- without training that quarter count with 0 hours). Quartiles: ntile(4) by hours, ties broken by
-- e-mail (1 = least trained). Next quarter: win rate # over the bucket's opportunities closed in
-- it, average won amount (reporting currency; won deals without an applicable rate are left
-- out), and quota attainment = won amount of the bucket's reps who have a ForecastingQuota
-- starting in the next quarter (and by "now") / the sum of those quotas (NULL without a quota).
-- A row exists once the next quarter has started ("now" = newest extract date loaded); while it
-- runs, is_next_quarter_complete is false and the results so far are shown.
with quarter_days as (
    select
        date_day,
        fiscal_quarter_start as quarter
    from {{ ref('dim_dates') }}
),

as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

training_quarters as (
    select distinct quarter_days.quarter
    from {{ ref('fct_training_measures') }} as measure_rows
    inner join quarter_days
        on measure_rows.event_date = quarter_days.date_day
),

quarters as (
    select
        training_quarters.quarter,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'training_quarters.quarter')) }} as date) as quarter_end,
        cast({{ dbt.dateadd('month', 3, 'training_quarters.quarter') }} as date) as next_quarter,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 6, 'training_quarters.quarter')) }} as date) as next_quarter_end,
        as_of.as_of_date
    from training_quarters
    cross join as_of
    where as_of.as_of_date >= cast({{ dbt.dateadd('month', 3, 'training_quarters.quarter') }} as date)
),

population as (
    select distinct
        quarters.quarter,
        reps.rep_email
    from quarters
    cross join {{ ref('int_crm__reps_by_email') }} as reps
    inner join {{ ref('fct_employment') }} as spans
        on reps.rep_email = spans.work_email
        and spans.hire_date <= quarters.quarter_end
        and (spans.termination_date is null or quarters.quarter_end <= spans.termination_date)
),

rep_hours as (
    select
        population.quarter,
        population.rep_email,
        cast(coalesce({{ exact_sum('measure_rows.training_seconds') }}, 0) as double) / 3600.0 as training_hours
    from population
    inner join quarters
        on population.quarter = quarters.quarter
    left join {{ ref('fct_training_measures') }} as measure_rows
        on population.rep_email = measure_rows.rep_email
        and measure_rows.event_date >= quarters.quarter
        and measure_rows.event_date <= quarters.quarter_end
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

rep_outcomes as (
    select
        rep_buckets.quarter,
        rep_buckets.rep_email,
        cast(count(case when closed.is_won then 1 end) as bigint) as won_count,
        cast(count(case when not closed.is_won then 1 end) as bigint) as lost_count,
        cast(count(case when closed.is_won and closed.amount_reporting is not null then 1 end) as bigint)
            as won_with_amount_count,
        {{ exact_sum('case when closed.is_won then closed.amount_reporting end') }} as won_amount
    from rep_buckets
    inner join quarters
        on rep_buckets.quarter = quarters.quarter
    left join {{ ref('fct_closed_opportunities') }} as closed
        on rep_buckets.rep_email = closed.rep_email
        and closed.close_date >= quarters.next_quarter
        and closed.close_date <= quarters.next_quarter_end
    group by rep_buckets.quarter, rep_buckets.rep_email
),

rep_quotas as (
    select
        rep_buckets.quarter,
        rep_buckets.rep_email,
        {{ exact_sum('quotas.quota_amount_reporting') }} as quota_amount
    from rep_buckets
    inner join quarters
        on rep_buckets.quarter = quarters.quarter
    inner join {{ ref('int_people__quotas') }} as quotas
        on rep_buckets.rep_email = quotas.rep_email
        and quotas.start_date >= quarters.next_quarter
        and quotas.start_date <= quarters.next_quarter_end
        and quotas.start_date <= quarters.as_of_date
    group by rep_buckets.quarter, rep_buckets.rep_email
),

bucket_sums as (
    select
        rep_buckets.quarter,
        rep_buckets.training_quartile,
        cast(count(*) as bigint) as reps,
        cast(min(rep_buckets.training_hours) as double) as min_training_hours,
        cast(max(rep_buckets.training_hours) as double) as max_training_hours,
        {{ exact_avg_of_whole('rep_buckets.training_hours', 3600000) }} as avg_training_hours,
        cast(sum(rep_outcomes.won_count) as bigint) as next_quarter_won_count,
        cast(sum(rep_outcomes.lost_count) as bigint) as next_quarter_lost_count,
        cast(sum(rep_outcomes.won_with_amount_count) as bigint) as next_quarter_won_with_amount_count,
        cast(coalesce(sum(rep_outcomes.won_amount), 0) as double) as next_quarter_won_amount,
        cast(count(rep_quotas.rep_email) as bigint) as reps_with_quota,
        cast(sum(rep_quotas.quota_amount) as double) as next_quarter_quota_amount,
        cast(sum(case when rep_quotas.rep_email is not null then coalesce(rep_outcomes.won_amount, 0) end) as double)
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
    cast(bucket_sums.training_quartile as integer) as training_quartile,
    quarters.next_quarter,
    quarters.as_of_date >= quarters.next_quarter_end as is_next_quarter_complete,
    bucket_sums.reps,
    bucket_sums.min_training_hours,
    bucket_sums.max_training_hours,
    bucket_sums.avg_training_hours,
    bucket_sums.next_quarter_won_count,
    bucket_sums.next_quarter_lost_count,
    cast({{ safe_divide('bucket_sums.next_quarter_won_count', 'bucket_sums.next_quarter_won_count + bucket_sums.next_quarter_lost_count') }} as double)
        as next_quarter_win_rate_count,
    bucket_sums.next_quarter_won_amount,
    cast({{ safe_divide('bucket_sums.next_quarter_won_amount', 'bucket_sums.next_quarter_won_with_amount_count') }} as double)
        as next_quarter_avg_won_amount,
    bucket_sums.reps_with_quota,
    bucket_sums.next_quarter_quota_amount,
    cast({{ safe_divide('bucket_sums.next_quarter_quota_won_amount', 'bucket_sums.next_quarter_quota_amount') }} as double)
        as next_quarter_quota_attainment
from bucket_sums
inner join quarters
    on bucket_sums.quarter = quarters.quarter
