-- The pipeline snapshots: one per CRM drop date (METRICS.md: "one snapshot per CRM drop date
-- d"). The ledger's CRM drops, plus any drop date seen on an Opportunity row (the same dates
-- once everything is loaded; the union keeps a snapshot for rows loaded without a ledger row).
with crm_drop_dates as (
    select drop_date as snapshot_date
    from {{ source('raw', 'load_drops') }}
    where system = 'crm'
    union
    select drop_date as snapshot_date
    from {{ ref('base_crm__opportunities') }}
)

select distinct snapshot_date
from crm_drop_dates
where snapshot_date is not null
