{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key=['system', 'drop_date'],
        on_schema_change='fail'
    )
}}
-- depends_on: {{ ref('int_activity__activities') }}
-- depends_on: {{ ref('int_sales__stage_history_rows') }}
-- depends_on: {{ ref('int_pipeline__snapshot_versions') }}
-- depends_on: {{ ref('int_people__statements') }}
-- depends_on: {{ ref('int_activity__record_change_rows') }}
-- The CRM and LMS drops the incremental models have processed: a run adds the drops of its
-- range (vars drop_date_from / drop_date_to; every loaded drop without them or in a full
-- build). It runs after those models, so a run that fails in one of them records nothing.
-- Its test every_loaded_drop_processed fails the build when a loaded drop was never in any
-- run's range (a missed or failed night): the facts would silently lack that drop's changes.
{%- set drop_range = incremental_drop_range() %}

select
    system,
    drop_date
from {{ source('raw', 'load_drops') }}
where system in ('crm', 'lms')
    and {{ in_drop_range('drop_date', drop_range) }}
