-- Lead response time (METRICS.md section 9) of the whole company per month. Percentiles are
-- computed from the leads of the row (continuous).
with parts as (
    select *
    from {{ ref('fct_lead_response') }}
),

company_month_sums as (
    select
        month,
        {{ activity_lead_response_measures() }}
    from parts
    group by month
)

select
    company_month_sums.month,
    company_month_sums.leads_created,
    company_month_sums.leads_answered,
    company_month_sums.leads_pending,
    company_month_sums.leads_within_sla,
    company_month_sums.leads_never_answered,
    company_month_sums.median_response_minutes,
    company_month_sums.p90_response_minutes,
    company_month_sums.within_sla_share,
    company_month_sums.never_answered_share
from company_month_sums
