-- When each lead reached its final status: the earliest SystemModstamp among the raw versions
-- of the lead that carry a final status (IsConverted, or a Status beginning with "Closed").
-- The raw history keeps every version delivered (the first drop is a full export, later drops
-- deltas), so this is the first time the final status was seen; a final status already in the
-- first export is dated by that version's SystemModstamp (its last change). For a converted
-- lead the end of its ConvertedDate is used when that is earlier.
with lead_versions as (
    select
        lead_id,
        status,
        is_converted,
        converted_date,
        system_modstamp
    from {{ ref('base_crm__leads') }}
),

final_versions as (
    select
        lead_id,
        system_modstamp,
        case
            when coalesce(is_converted, false) and converted_date is not null
                then cast({{ dbt.dateadd('second', -1, dbt.dateadd('day', 1, 'cast(converted_date as timestamp)')) }} as timestamp)
        end as converted_day_end
    from lead_versions
    where lead_id is not null
        and (coalesce(is_converted, false) or status like 'Closed%')
),

final_moments as (
    select
        lead_id,
        case
            when min(converted_day_end) is not null and min(converted_day_end) < min(system_modstamp)
                then min(converted_day_end)
            else min(system_modstamp)
        end as final_at
    from final_versions
    group by lead_id
)

select
    lead_id,
    final_at
from final_moments
