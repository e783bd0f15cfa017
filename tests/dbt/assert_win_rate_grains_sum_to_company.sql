-- Every grain of the win-rate marts sums to the company: counts and amounts summed over rep
-- rows, team rows and region rows equal the company row of the month (no double counting
-- when a rep changes team, reps without an HR match included). Returns offending months.
{{ config(meta={"dagster": {"ref": {"name": "kpi_win_rate_company"}}}) }}

with rep_sums as (
    select month, sum(won_count) as won_count, sum(lost_count) as lost_count,
        sum(won_amount) as won_amount, sum(lost_amount) as lost_amount
    from {{ ref('kpi_win_rate') }}
    group by month
),

team_sums as (
    select month, sum(won_count) as won_count, sum(lost_count) as lost_count,
        sum(won_amount) as won_amount, sum(lost_amount) as lost_amount
    from {{ ref('kpi_win_rate_team') }}
    group by month
),

region_sums as (
    select month, sum(won_count) as won_count, sum(lost_count) as lost_count,
        sum(won_amount) as won_amount, sum(lost_amount) as lost_amount
    from {{ ref('kpi_win_rate_region') }}
    group by month
),

company as (
    select month, won_count, lost_count, won_amount, lost_amount
    from {{ ref('kpi_win_rate_company') }}
),

all_months as (
    select month from rep_sums
    union
    select month from team_sums
    union
    select month from region_sums
    union
    select month from company
)

select all_months.month
from all_months
left join company on all_months.month = company.month
left join rep_sums on all_months.month = rep_sums.month
left join team_sums on all_months.month = team_sums.month
left join region_sums on all_months.month = region_sums.month
where company.month is null
    or rep_sums.month is null
    or team_sums.month is null
    or region_sums.month is null
    or rep_sums.won_count <> company.won_count
    or rep_sums.lost_count <> company.lost_count
    or team_sums.won_count <> company.won_count
    or team_sums.lost_count <> company.lost_count
    or region_sums.won_count <> company.won_count
    or region_sums.lost_count <> company.lost_count
    or abs(rep_sums.won_amount - company.won_amount) > 0.01
    or abs(rep_sums.lost_amount - company.lost_amount) > 0.01
    or abs(team_sums.won_amount - company.won_amount) > 0.01
    or abs(team_sums.lost_amount - company.lost_amount) > 0.01
    or abs(region_sums.won_amount - company.won_amount) > 0.01
    or abs(region_sums.lost_amount - company.lost_amount) > 0.01
