-- Salesforce Opportunities, latest version per record (highest SystemModstamp, then later drop,
-- then later line; 15- and 18-character Ids are the same record; every version typed in
-- base_crm__opportunities). A record deleted in its latest version is left out. A reopened
-- opportunity (closed before, open now) is open here.
with opportunity_versions as (
    select *
    from {{ ref('base_crm__opportunities') }}
),

ranked_versions as (
    select
        opportunity_versions.*,
        {{ latest_version_rank('opportunity_id') }} as version_rank
    from opportunity_versions
    where opportunity_id is not null
)

select
    opportunity_id,
    account_id,
    owner_id,
    opportunity_name,
    stage_name,
    forecast_category,
    is_closed,
    is_won,
    close_date,
    created_at,
    cast(created_at as date) as created_date,
    amount,
    currency_iso_code,
    probability,
    lead_source,
    opportunity_type,
    next_step,
    system_modstamp,
    drop_date
from ranked_versions
where version_rank = 1
    and not coalesce(is_deleted, false)
