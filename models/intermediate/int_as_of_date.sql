-- Now of the warehouse: the newest extract date loaded (any system), never the wall clock,
-- so the same drops always give the same marts. NULL while nothing has been loaded.
with loaded_drops as (
    select drop_date
    from {{ source('raw', 'load_drops') }}
)

select max(drop_date) as as_of_date
from loaded_drops
