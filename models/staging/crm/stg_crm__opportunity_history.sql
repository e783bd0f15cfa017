-- Salesforce OpportunityHistory rows (every delivery typed in base_crm__opportunity_history): no
-- SystemModstamp, so the row of the latest drop (then latest line) per Id wins. Rows of
-- opportunities that are deleted are kept here; marts join to stg_crm__opportunities to drop
-- them.
with history_versions as (
    select *
    from {{ ref('base_crm__opportunity_history') }}
),

ranked_versions as (
    select
        history_versions.*,
        {{ latest_version_rank('opportunity_history_id', by_modstamp=false) }} as version_rank
    from history_versions
    where opportunity_history_id is not null
)

select
    opportunity_history_id,
    opportunity_id,
    stage_name,
    amount,
    probability,
    close_date,
    forecast_category,
    created_at,
    created_by_id,
    drop_date
from ranked_versions
where version_rank = 1
