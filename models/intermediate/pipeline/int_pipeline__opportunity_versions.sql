-- Every version of every Salesforce Opportunity (one row per raw row), keyed by drop date and
-- line, with the 15-character record identity, its amount converted to the reporting currency
-- at the DatedConversionRate in force on that version's CloseDate, and when it counts:
-- a version is the one in force for the snapshots of the drop dates d with
-- counts_from <= d < counts_until, i.e. from its own drop until a better-ranked version
-- (higher SystemModstamp, then later drop, then later line) has arrived. A version that
-- arrived after a better one never counts (counts_until <= counts_from).
with identified_versions as (
    select
        opportunity_id,
        account_id,
        owner_id,
        stage_name,
        forecast_category,
        is_closed,
        is_won,
        close_date,
        amount,
        coalesce(currency_iso_code, '{{ var('reporting_currency') }}') as currency_iso_code,
        probability,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp,
        drop_date,
        source_line
    from {{ ref('base_crm__opportunities') }}
    where opportunity_id is not null
        and drop_date is not null
),

ranked_versions as (
    select
        identified_versions.*,
        {{ latest_version_rank('opportunity_id') }} as version_rank
    from identified_versions
),

superseded_versions as (
    -- the earliest drop that delivered a better-ranked version of the same record
    select
        ranked_versions.*,
        {{ version_counts_until('opportunity_id') }} as counts_until
    from ranked_versions
),

latest_versions as (
    select
        opportunity_id,
        is_deleted as is_deleted_in_latest_version
    from ranked_versions
    where version_rank = 1
),

converted_amounts as (
    {{ convert_to_reporting('identified_versions', ['drop_date', 'source_line'], 'amount', 'currency_iso_code', 'close_date') }}
)

select
    superseded_versions.opportunity_id,
    superseded_versions.drop_date,
    superseded_versions.source_line,
    superseded_versions.system_modstamp,
    superseded_versions.version_rank,
    superseded_versions.drop_date as counts_from,
    superseded_versions.counts_until,
    superseded_versions.is_deleted,
    latest_versions.is_deleted_in_latest_version,
    superseded_versions.account_id,
    superseded_versions.owner_id,
    superseded_versions.stage_name,
    superseded_versions.forecast_category,
    superseded_versions.is_closed,
    superseded_versions.is_won,
    superseded_versions.close_date,
    superseded_versions.amount,
    superseded_versions.currency_iso_code,
    converted_amounts.amount_reporting,
    superseded_versions.probability
from superseded_versions
inner join latest_versions
    on superseded_versions.opportunity_id = latest_versions.opportunity_id
left join converted_amounts
    on superseded_versions.drop_date = converted_amounts.drop_date
    and superseded_versions.source_line = converted_amounts.source_line
