-- Every record creation and edit of the live CRM records a rep works on (Task, Event, Lead,
-- Opportunity, Account): the population of CRM usage's records created / admin time.
--   created: one row per live record (latest version, not deleted), on its CreatedDate, owned
--            by its current owner (latest version's OwnerId).
--   edited:  one row per further version of a live record, i.e. per distinct SystemModstamp
--            later than the record's CreatedDate found in the raw history (every drop is kept),
--            on the date of that SystemModstamp, owned by that version's OwnerId. A version
--            delivered in two drops is one edit. Records deleted in their latest version count
--            nowhere, their versions neither.
-- The rows come from the incremental int_activity__record_change_rows; the owner's e-mail is
-- joined here, at build time, because it changes independently of the records; so are the
-- admin minutes per record type (seed admin_minutes_per_record_type).
select
    change_rows.record_type,
    change_rows.record_id,
    change_rows.change_kind,
    change_rows.owner_id,
    users.email as owner_email,
    change_rows.changed_at,
    cast(change_rows.changed_at as date) as change_date,
    coalesce(admin_minutes.admin_minutes, 0) as admin_minutes
from {{ ref('int_activity__record_change_rows') }} as change_rows
left join {{ ref('stg_crm__users') }} as users
    on change_rows.owner_id = users.user_id
-- reference data (seed): a record type missing from it counts 0 minutes
left join {{ ref('admin_minutes_per_record_type') }} as admin_minutes
    on change_rows.record_type = admin_minutes.record_type
where change_rows.is_live
    and change_rows.changed_at is not null
