-- The floor, base section: reads the landing files (getvariable('landing')) and creates the
-- pipeline's staging relations as tables (staging.stg_* and the every-version staging.base_*,
-- same names, columns, types and rows as the pipeline's staging views), the HR periods
-- staging.int_hr__worker_periods (columns and rows of the pipeline's intermediate model of that
-- name; the core marts and the later sections read it) and the five shared core marts
-- (marts.dim_reps, dim_rep_history, dim_currency_rates, dim_dates, fct_opportunities).
-- The as-of date ("now") is getvariable('as_of_date'), the newest complete drop's date (any
-- system) that the runner sets (the pipeline's int_as_of_date).
--
-- Assumptions (the bundled and benchmark extracts meet them; the pipeline checks them, the
-- floor does not):
-- - clean extracts: no row that ingestion would quarantine (every value in its domain, no
--   ambiguous duplicate in a file, every file readable), so every row of every complete drop
--   counts, as in the pipeline's raw tables;
-- - every file has the header the generator writes (contract columns in contract order, then
--   its extra columns): files are read by position, with the raw tables' types;
-- - CRM datetimes are UTC (`...Z`, CONTRACT.md) and are read straight as TIMESTAMP; xAPI
--   timestamps may carry an offset and are converted to UTC;
-- - only Account files hold quoted values with line breaks (Description), so elsewhere a
--   record's line (ingestion's `_line`, base_*.source_line) is its record number + 1;
-- - every extract kind (Task.csv, statements.jsonl, ...) is in at least one complete drop.
-- Only complete drops (folders with _SUCCESS) are read. The reporting currency (USD) and the
-- fiscal year starting in January are the dbt project's vars reporting_currency and
-- fiscal_year_start_month.
-- The big extracts (Task, Event) are read once, by a parallel scan straight into their base_*
-- table; their stg_* table is derived from it.

-- ---------------------------------------------------------------------------------------------
-- the landing files of the complete drops, as lists in drop order (one variable per file kind)

create temp table landing_files as
with listed_files as (
    select file, string_split(file, '/') as path_parts
    from glob(getvariable('landing') || '/*/*/*')
),
drop_files as (
    select
        file,
        path_parts[-3] as system,
        try_cast(path_parts[-2] as date) as drop_date,
        path_parts[-1] as file_name
    from listed_files
    where length(path_parts[-2]) = 10
        and path_parts[-3] in ('crm', 'hr', 'lms')
),
complete_drops as (
    select distinct system, drop_date
    from drop_files
    where file_name = '_SUCCESS' and drop_date is not null
)
select drop_files.*
from drop_files
semi join complete_drops using (system, drop_date);

set variable files_crm_account = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'Account.csv');
set variable files_crm_conversion_rate = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'DatedConversionRate.csv');
set variable files_crm_event = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'Event.csv');
set variable files_crm_quota = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'ForecastingQuota.csv');
set variable files_crm_lead = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'Lead.csv');
set variable files_crm_login = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'LoginHistory.csv');
set variable files_crm_opportunity = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'Opportunity.csv');
set variable files_crm_opportunity_history = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'OpportunityHistory.csv');
set variable files_crm_task = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'Task.csv');
set variable files_crm_user = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'User.csv');
set variable files_crm_user_role = (
    select list(file order by drop_date) from landing_files
    where system = 'crm' and file_name = 'UserRole.csv');
set variable files_hr_workers = (
    select list(file order by drop_date) from landing_files
    where system = 'hr' and file_name = 'workers.csv');
set variable files_lms_statements = (
    select list(file order by drop_date) from landing_files
    where system = 'lms' and file_name = 'statements.jsonl');
set variable files_lms_courses = (
    select list(file order by drop_date) from landing_files
    where system = 'lms' and file_name = 'courses.csv');
set variable files_lms_assignments = (
    select list(file order by drop_date) from landing_files
    where system = 'lms' and file_name = 'assignments.csv');

-- ---------------------------------------------------------------------------------------------
-- one reader per extract file: its columns (by position) with the raw tables' types, plus the
-- file name and its drop date

create temp macro crm_account_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'Name': 'varchar', 'OwnerId': 'varchar', 'CreatedDate': 'timestamp',
        'SystemModstamp': 'timestamp', 'IsDeleted': 'boolean', 'Industry': 'varchar',
        'BillingCountry': 'varchar', 'AnnualRevenue': 'double', 'NumberOfEmployees': 'bigint',
        'Type': 'varchar', 'AccountSource': 'varchar', 'Description': 'varchar',
        'LastModifiedDate': 'varchar', 'CreatedById': 'varchar'});

create temp macro crm_conversion_rate_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'IsoCode': 'varchar', 'StartDate': 'date', 'NextStartDate': 'date',
        'ConversionRate': 'double', 'Id': 'varchar', 'SystemModstamp': 'varchar'});

create temp macro crm_event_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'OwnerId': 'varchar', 'WhoId': 'varchar', 'WhatId': 'varchar',
        'StartDateTime': 'timestamp', 'EndDateTime': 'timestamp', 'CreatedDate': 'timestamp',
        'SystemModstamp': 'timestamp', 'IsDeleted': 'boolean', 'Type': 'varchar',
        'DurationInMinutes': 'bigint', 'Subject': 'varchar', 'Location': 'varchar',
        'ShowAs': 'varchar', 'IsAllDayEvent': 'varchar', 'LastModifiedDate': 'varchar',
        'CreatedById': 'varchar'});

create temp macro crm_quota_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'QuotaOwnerId': 'varchar', 'StartDate': 'date', 'QuotaAmount': 'double',
        'CurrencyIsoCode': 'varchar', 'IsQuantity': 'varchar', 'CreatedDate': 'varchar',
        'SystemModstamp': 'varchar'});

create temp macro crm_lead_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'OwnerId': 'varchar', 'CreatedDate': 'timestamp', 'Status': 'varchar',
        'IsConverted': 'boolean', 'SystemModstamp': 'timestamp', 'IsDeleted': 'boolean',
        'LeadSource': 'varchar', 'ConvertedDate': 'date', 'ConvertedOpportunityId': 'varchar',
        'ConvertedAccountId': 'varchar', 'Email': 'varchar', 'Company': 'varchar',
        'FirstName': 'varchar', 'LastName': 'varchar', 'Title': 'varchar', 'Country': 'varchar',
        'LastModifiedDate': 'varchar', 'CreatedById': 'varchar'});

create temp macro crm_login_csv(files) as table
select *
from read_csv(files, header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', columns = {
        'UserId': 'varchar', 'LoginTime': 'timestamp', 'Status': 'varchar', 'Id': 'varchar',
        'LoginType': 'varchar', 'SourceIp': 'varchar', 'Browser': 'varchar',
        'Platform': 'varchar'});

create temp macro crm_opportunity_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'AccountId': 'varchar', 'OwnerId': 'varchar', 'StageName': 'varchar',
        'Amount': 'double', 'Probability': 'double', 'ForecastCategory': 'varchar',
        'IsClosed': 'boolean', 'IsWon': 'boolean', 'CloseDate': 'date',
        'CreatedDate': 'timestamp', 'SystemModstamp': 'timestamp', 'IsDeleted': 'boolean',
        'LeadSource': 'varchar', 'Type': 'varchar', 'CurrencyIsoCode': 'varchar',
        'NextStep': 'varchar', 'Name': 'varchar', 'ExpectedRevenue': 'varchar',
        'FiscalYear': 'varchar', 'FiscalQuarter': 'varchar', 'LastModifiedDate': 'varchar',
        'CreatedById': 'varchar'});

create temp macro crm_opportunity_history_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'OpportunityId': 'varchar', 'StageName': 'varchar', 'Amount': 'double',
        'Probability': 'double', 'CloseDate': 'date', 'ForecastCategory': 'varchar',
        'CreatedDate': 'timestamp', 'CreatedById': 'varchar', 'ExpectedRevenue': 'varchar',
        'IsDeleted': 'varchar', 'SystemModstamp': 'varchar'});

create temp macro crm_task_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'OwnerId': 'varchar', 'WhoId': 'varchar', 'WhatId': 'varchar',
        'TaskSubtype': 'varchar', 'Status': 'varchar', 'ActivityDate': 'date',
        'CreatedDate': 'timestamp', 'SystemModstamp': 'timestamp', 'IsDeleted': 'boolean',
        'Type': 'varchar', 'CompletedDateTime': 'timestamp', 'CallDurationInSeconds': 'bigint',
        'CallDisposition': 'varchar', 'Subject': 'varchar', 'Priority': 'varchar',
        'LastModifiedDate': 'varchar', 'CreatedById': 'varchar'});

create temp macro crm_user_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'Name': 'varchar', 'Email': 'varchar', 'IsActive': 'boolean',
        'ManagerId': 'varchar', 'CreatedDate': 'timestamp', 'SystemModstamp': 'timestamp',
        'UserRoleId': 'varchar', 'Title': 'varchar', 'Username': 'varchar',
        'FirstName': 'varchar', 'LastName': 'varchar', 'TimeZoneSidKey': 'varchar',
        'Department': 'varchar', 'LastModifiedDate': 'varchar', 'CreatedById': 'varchar'});

create temp macro crm_user_role_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'Id': 'varchar', 'Name': 'varchar', 'ParentRoleId': 'varchar',
        'DeveloperName': 'varchar', 'RollupDescription': 'varchar'});

create temp macro hr_workers_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'employee_id': 'varchar', 'work_email': 'varchar', 'full_name': 'varchar',
        'department': 'varchar', 'job_title': 'varchar', 'job_level': 'varchar',
        'manager_employee_id': 'varchar', 'region': 'varchar', 'hire_date': 'date',
        'termination_date': 'date', 'termination_type': 'varchar', 'regrettable': 'boolean',
        'effective_date': 'date', 'annual_salary': 'varchar'});

create temp macro lms_courses_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'course_id': 'varchar', 'title': 'varchar', 'category': 'varchar',
        'expected_hours': 'double'});

create temp macro lms_assignments_csv(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_csv(files, header = true, auto_detect = false, filename = true,
    delim = ',', quote = '"', escape = '"', columns = {
        'work_email': 'varchar', 'course_id': 'varchar', 'assigned_date': 'date',
        'due_date': 'date'});

create temp macro lms_statements_jsonl(files) as table
select *, string_split(filename, '/')[-2]::date as drop_date
from read_json(files, format = 'newline_delimited', filename = true, columns = {
        'id': 'varchar',
        'actor': 'struct(mbox varchar)',
        'verb': 'struct(id varchar)',
        'object': 'struct(id varchar, objectType varchar)',
        'result': 'struct(completion boolean, success boolean, score struct(scaled double), duration varchar)',
        'timestamp': 'varchar'});

-- ---------------------------------------------------------------------------------------------
-- CRM: every version (base_*) and the latest live version (stg_*) per record

-- base_crm__tasks: every Task row delivered, typed and renamed; source_line = the row's line
-- in its file. The table is written straight from the parallel scan, which keeps the files'
-- order (insertion order is preserved), so a row's line is its rowid minus its file's first
-- rowid, plus 2 (the header is line 1): set by an update, no numbering window on the scan.
create table staging.base_crm__tasks as
select
    nullif(left(trim(Id), 15), '') as task_id,
    nullif(left(trim(OwnerId), 15), '') as owner_id,
    nullif(left(trim(WhoId), 15), '') as who_id,
    nullif(left(trim(WhatId), 15), '') as what_id,
    nullif(trim(TaskSubtype), '') as task_subtype,
    nullif(trim(Type), '') as task_type,
    nullif(trim(Status), '') as status,
    ActivityDate as activity_date,
    CompletedDateTime as completed_at,
    CallDurationInSeconds as call_duration_seconds,
    nullif(trim(CallDisposition), '') as call_disposition,
    nullif(trim(Subject), '') as subject,
    CreatedDate as created_at,
    SystemModstamp as system_modstamp,
    IsDeleted as is_deleted,
    trim(Id) as source_id,
    drop_date,
    null::bigint as source_line
from crm_task_csv(getvariable('files_crm_task'));

update staging.base_crm__tasks
set source_line = base_crm__tasks.rowid - file_starts.first_rowid + 2
from (
    select drop_date, min(rowid) as first_rowid
    from staging.base_crm__tasks
    group by drop_date
) as file_starts
where base_crm__tasks.drop_date = file_starts.drop_date;

-- stg_crm__tasks: the latest version of each Task (SystemModstamp, then drop, then line), not
-- deleted; who_object / what_object from the Id key prefix. Only the records with several
-- versions need ranking: the others pass through an anti-join.
create table staging.stg_crm__tasks as
with multi_version_ids as (
    select task_id
    from staging.base_crm__tasks
    where task_id is not null
    group by task_id
    having count(*) > 1
),
latest_versions as (
    select *
    from staging.base_crm__tasks
    anti join multi_version_ids using (task_id)
    where task_id is not null
    union all
    select *
    from staging.base_crm__tasks
    semi join multi_version_ids using (task_id)
    qualify row_number() over (
        partition by task_id
        order by system_modstamp desc nulls last, drop_date desc nulls last, source_line desc nulls last
    ) = 1
)
select
    task_id,
    owner_id,
    who_id,
    case left(who_id, 3) when '00Q' then 'Lead' when '003' then 'Contact' end as who_object,
    what_id,
    case left(what_id, 3) when '006' then 'Opportunity' when '001' then 'Account' end as what_object,
    task_subtype,
    task_type,
    status,
    activity_date,
    completed_at,
    call_duration_seconds,
    call_disposition,
    subject,
    created_at,
    system_modstamp,
    drop_date
from latest_versions
where not coalesce(is_deleted, false);

-- base_crm__events: every Event row delivered (lines set like the Tasks')
create table staging.base_crm__events as
select
    nullif(left(trim(Id), 15), '') as event_id,
    nullif(left(trim(OwnerId), 15), '') as owner_id,
    nullif(left(trim(WhoId), 15), '') as who_id,
    nullif(left(trim(WhatId), 15), '') as what_id,
    StartDateTime as start_at,
    EndDateTime as end_at,
    DurationInMinutes as duration_minutes,
    nullif(trim(Type), '') as event_type,
    nullif(trim(Subject), '') as subject,
    CreatedDate as created_at,
    SystemModstamp as system_modstamp,
    IsDeleted as is_deleted,
    trim(Id) as source_id,
    drop_date,
    null::bigint as source_line
from crm_event_csv(getvariable('files_crm_event'));

update staging.base_crm__events
set source_line = base_crm__events.rowid - file_starts.first_rowid + 2
from (
    select drop_date, min(rowid) as first_rowid
    from staging.base_crm__events
    group by drop_date
) as file_starts
where base_crm__events.drop_date = file_starts.drop_date;

-- stg_crm__events: the latest version of each Event, not deleted (ranked like the Tasks)
create table staging.stg_crm__events as
with multi_version_ids as (
    select event_id
    from staging.base_crm__events
    where event_id is not null
    group by event_id
    having count(*) > 1
),
latest_versions as (
    select *
    from staging.base_crm__events
    anti join multi_version_ids using (event_id)
    where event_id is not null
    union all
    select *
    from staging.base_crm__events
    semi join multi_version_ids using (event_id)
    qualify row_number() over (
        partition by event_id
        order by system_modstamp desc nulls last, drop_date desc nulls last, source_line desc nulls last
    ) = 1
)
select
    event_id,
    owner_id,
    who_id,
    case left(who_id, 3) when '00Q' then 'Lead' when '003' then 'Contact' end as who_object,
    what_id,
    case left(what_id, 3) when '006' then 'Opportunity' when '001' then 'Account' end as what_object,
    start_at,
    end_at,
    duration_minutes,
    event_type,
    subject,
    created_at,
    system_modstamp,
    drop_date
from latest_versions
where not coalesce(is_deleted, false);

-- base_crm__accounts: every Account row delivered; a record's line counts the line breaks
-- inside the quoted values of the records before it in its file (as ingestion numbers lines)
create table staging.base_crm__accounts as
with account_rows as (
    select
        *,
        row_number() over () as row_in_files,
        coalesce(length(Id) - length(replace(Id, chr(10), '')), 0)
            + coalesce(length(Name) - length(replace(Name, chr(10), '')), 0)
            + coalesce(length(OwnerId) - length(replace(OwnerId, chr(10), '')), 0)
            + coalesce(length(Industry) - length(replace(Industry, chr(10), '')), 0)
            + coalesce(length(BillingCountry) - length(replace(BillingCountry, chr(10), '')), 0)
            + coalesce(length(Type) - length(replace(Type, chr(10), '')), 0)
            + coalesce(length(AccountSource) - length(replace(AccountSource, chr(10), '')), 0)
            + coalesce(length(Description) - length(replace(Description, chr(10), '')), 0)
            + coalesce(length(LastModifiedDate) - length(replace(LastModifiedDate, chr(10), '')), 0)
            + coalesce(length(CreatedById) - length(replace(CreatedById, chr(10), '')), 0)
            as line_breaks
    from crm_account_csv(getvariable('files_crm_account'))
),
numbered_rows as (
    select
        *,
        row_in_files - min(row_in_files) over (partition by filename) + 2
            + coalesce(sum(line_breaks) over (
                partition by filename order by row_in_files
                rows between unbounded preceding and 1 preceding), 0) as source_line
    from account_rows
)
select
    nullif(left(trim(Id), 15), '') as account_id,
    nullif(trim(Name), '') as account_name,
    nullif(left(trim(OwnerId), 15), '') as owner_id,
    nullif(trim(Industry), '') as industry,
    nullif(trim(BillingCountry), '') as billing_country,
    AnnualRevenue as annual_revenue,
    NumberOfEmployees as number_of_employees,
    CreatedDate as created_at,
    SystemModstamp as system_modstamp,
    IsDeleted as is_deleted,
    trim(Id) as source_id,
    drop_date,
    source_line::bigint as source_line
from numbered_rows;

-- stg_crm__accounts: the latest version of each Account, not deleted (ranked like the Tasks)
create table staging.stg_crm__accounts as
with multi_version_ids as (
    select account_id
    from staging.base_crm__accounts
    where account_id is not null
    group by account_id
    having count(*) > 1
),
latest_versions as (
    select *
    from staging.base_crm__accounts
    anti join multi_version_ids using (account_id)
    where account_id is not null
    union all
    select *
    from staging.base_crm__accounts
    semi join multi_version_ids using (account_id)
    qualify row_number() over (
        partition by account_id
        order by system_modstamp desc nulls last, drop_date desc nulls last, source_line desc nulls last
    ) = 1
)
select
    account_id,
    account_name,
    owner_id,
    industry,
    billing_country,
    annual_revenue,
    number_of_employees,
    created_at,
    system_modstamp,
    drop_date
from latest_versions
where not coalesce(is_deleted, false);

-- base_crm__leads: every Lead row delivered (lines set like the Tasks')
create table staging.base_crm__leads as
select
    nullif(left(trim(Id), 15), '') as lead_id,
    nullif(left(trim(OwnerId), 15), '') as owner_id,
    nullif(trim(Status), '') as status,
    IsConverted as is_converted,
    ConvertedDate as converted_date,
    nullif(left(trim(ConvertedOpportunityId), 15), '') as converted_opportunity_id,
    nullif(left(trim(ConvertedAccountId), 15), '') as converted_account_id,
    nullif(trim(LeadSource), '') as lead_source,
    nullif(lower(trim(Email)), '') as email,
    nullif(trim(Company), '') as company,
    CreatedDate as created_at,
    SystemModstamp as system_modstamp,
    IsDeleted as is_deleted,
    trim(Id) as source_id,
    drop_date,
    null::bigint as source_line
from crm_lead_csv(getvariable('files_crm_lead'));

update staging.base_crm__leads
set source_line = base_crm__leads.rowid - file_starts.first_rowid + 2
from (
    select drop_date, min(rowid) as first_rowid
    from staging.base_crm__leads
    group by drop_date
) as file_starts
where base_crm__leads.drop_date = file_starts.drop_date;

-- stg_crm__leads: the latest version of each Lead, not deleted (ranked like the Tasks)
create table staging.stg_crm__leads as
with multi_version_ids as (
    select lead_id
    from staging.base_crm__leads
    where lead_id is not null
    group by lead_id
    having count(*) > 1
),
latest_versions as (
    select *
    from staging.base_crm__leads
    anti join multi_version_ids using (lead_id)
    where lead_id is not null
    union all
    select *
    from staging.base_crm__leads
    semi join multi_version_ids using (lead_id)
    qualify row_number() over (
        partition by lead_id
        order by system_modstamp desc nulls last, drop_date desc nulls last, source_line desc nulls last
    ) = 1
)
select
    lead_id,
    owner_id,
    status,
    is_converted,
    converted_date,
    converted_opportunity_id,
    converted_account_id,
    lead_source,
    email,
    company,
    created_at,
    created_at::date as created_date,
    system_modstamp,
    drop_date
from latest_versions
where not coalesce(is_deleted, false);

-- base_crm__opportunities: every Opportunity row delivered (lines set like the Tasks')
create table staging.base_crm__opportunities as
select
    nullif(left(trim(Id), 15), '') as opportunity_id,
    nullif(left(trim(AccountId), 15), '') as account_id,
    nullif(left(trim(OwnerId), 15), '') as owner_id,
    nullif(trim(Name), '') as opportunity_name,
    nullif(trim(StageName), '') as stage_name,
    nullif(trim(ForecastCategory), '') as forecast_category,
    IsClosed as is_closed,
    IsWon as is_won,
    CloseDate as close_date,
    CreatedDate as created_at,
    Amount as amount,
    upper(nullif(trim(CurrencyIsoCode), '')) as currency_iso_code,
    Probability as probability,
    nullif(trim(LeadSource), '') as lead_source,
    nullif(trim(Type), '') as opportunity_type,
    nullif(trim(NextStep), '') as next_step,
    SystemModstamp as system_modstamp,
    IsDeleted as is_deleted,
    trim(Id) as source_id,
    drop_date,
    null::bigint as source_line
from crm_opportunity_csv(getvariable('files_crm_opportunity'));

update staging.base_crm__opportunities
set source_line = base_crm__opportunities.rowid - file_starts.first_rowid + 2
from (
    select drop_date, min(rowid) as first_rowid
    from staging.base_crm__opportunities
    group by drop_date
) as file_starts
where base_crm__opportunities.drop_date = file_starts.drop_date;

-- stg_crm__opportunities: the latest version of each Opportunity, not deleted (ranked like
-- the Tasks)
create table staging.stg_crm__opportunities as
with multi_version_ids as (
    select opportunity_id
    from staging.base_crm__opportunities
    where opportunity_id is not null
    group by opportunity_id
    having count(*) > 1
),
latest_versions as (
    select *
    from staging.base_crm__opportunities
    anti join multi_version_ids using (opportunity_id)
    where opportunity_id is not null
    union all
    select *
    from staging.base_crm__opportunities
    semi join multi_version_ids using (opportunity_id)
    qualify row_number() over (
        partition by opportunity_id
        order by system_modstamp desc nulls last, drop_date desc nulls last, source_line desc nulls last
    ) = 1
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
    created_at::date as created_date,
    amount,
    currency_iso_code,
    probability,
    lead_source,
    opportunity_type,
    next_step,
    system_modstamp,
    drop_date
from latest_versions
where not coalesce(is_deleted, false);

-- base_crm__opportunity_history: every OpportunityHistory row delivered (lines set like the
-- Tasks')
create table staging.base_crm__opportunity_history as
select
    nullif(left(trim(Id), 15), '') as opportunity_history_id,
    nullif(left(trim(OpportunityId), 15), '') as opportunity_id,
    nullif(trim(StageName), '') as stage_name,
    Amount as amount,
    Probability as probability,
    CloseDate as close_date,
    nullif(trim(ForecastCategory), '') as forecast_category,
    CreatedDate as created_at,
    nullif(left(trim(CreatedById), 15), '') as created_by_id,
    trim(Id) as source_id,
    trim(OpportunityId) as source_opportunity_id,
    drop_date,
    null::bigint as source_line
from crm_opportunity_history_csv(getvariable('files_crm_opportunity_history'));

update staging.base_crm__opportunity_history
set source_line = base_crm__opportunity_history.rowid - file_starts.first_rowid + 2
from (
    select drop_date, min(rowid) as first_rowid
    from staging.base_crm__opportunity_history
    group by drop_date
) as file_starts
where base_crm__opportunity_history.drop_date = file_starts.drop_date;

-- stg_crm__opportunity_history: the latest delivery of each history row (drop, then line;
-- only Ids delivered more than once are ranked); rows of deleted opportunities stay
create table staging.stg_crm__opportunity_history as
with multi_version_ids as (
    select opportunity_history_id
    from staging.base_crm__opportunity_history
    where opportunity_history_id is not null
    group by opportunity_history_id
    having count(*) > 1
),
latest_versions as (
    select *
    from staging.base_crm__opportunity_history
    anti join multi_version_ids using (opportunity_history_id)
    where opportunity_history_id is not null
    union all
    select *
    from staging.base_crm__opportunity_history
    semi join multi_version_ids using (opportunity_history_id)
    qualify row_number() over (
        partition by opportunity_history_id
        order by drop_date desc nulls last, source_line desc nulls last
    ) = 1
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
from latest_versions;

-- The small extracts below are ranked in a single window over their rows; row_in_files (the
-- row's position over the files read in drop order) orders the rows of one drop as their
-- lines do, for the pipeline's "then the later line" tie-break.

-- stg_crm__users: the latest version of each User (SystemModstamp, then drop, then line); no
-- deletion: is_active flags deactivated users
create table staging.stg_crm__users as
with user_rows as (
    select
        nullif(left(trim(Id), 15), '') as user_id,
        nullif(trim(Name), '') as user_name,
        nullif(lower(trim(Email)), '') as email,
        IsActive as is_active,
        nullif(left(trim(ManagerId), 15), '') as manager_id,
        nullif(left(trim(UserRoleId), 15), '') as user_role_id,
        nullif(trim(Title), '') as title,
        CreatedDate as created_at,
        SystemModstamp as system_modstamp,
        drop_date,
        row_number() over () as row_in_files
    from crm_user_csv(getvariable('files_crm_user'))
)
select * exclude (row_in_files)
from user_rows
where user_id is not null
qualify row_number() over (
    partition by user_id
    order by system_modstamp desc nulls last, drop_date desc nulls last, row_in_files desc
) = 1;

-- stg_crm__user_roles: the latest delivery of each UserRole (drop, then line)
create table staging.stg_crm__user_roles as
with role_rows as (
    select
        nullif(left(trim(Id), 15), '') as user_role_id,
        nullif(trim(Name), '') as role_name,
        nullif(left(trim(ParentRoleId), 15), '') as parent_role_id,
        drop_date,
        row_number() over () as row_in_files
    from crm_user_role_csv(getvariable('files_crm_user_role'))
)
select * exclude (row_in_files)
from role_rows
where user_role_id is not null
qualify row_number() over (
    partition by user_role_id
    order by drop_date desc nulls last, row_in_files desc
) = 1;

-- stg_crm__forecasting_quotas: the latest delivery of each ForecastingQuota (drop, then
-- line); an empty currency is the reporting currency
create table staging.stg_crm__forecasting_quotas as
with quota_rows as (
    select
        nullif(left(trim(Id), 15), '') as forecasting_quota_id,
        nullif(left(trim(QuotaOwnerId), 15), '') as quota_owner_id,
        StartDate as start_date,
        QuotaAmount as quota_amount,
        coalesce(upper(nullif(trim(CurrencyIsoCode), '')), 'USD') as currency_iso_code,
        drop_date,
        row_number() over () as row_in_files
    from crm_quota_csv(getvariable('files_crm_quota'))
)
select * exclude (row_in_files)
from quota_rows
where forecasting_quota_id is not null
qualify row_number() over (
    partition by forecasting_quota_id
    order by drop_date desc nulls last, row_in_files desc
) = 1;

-- stg_crm__dated_conversion_rates: the latest delivery per (IsoCode, StartDate) (drop, then
-- line)
create table staging.stg_crm__dated_conversion_rates as
with rate_rows as (
    select
        upper(nullif(trim(IsoCode), '')) as iso_code,
        StartDate as start_date,
        NextStartDate as next_start_date,
        ConversionRate as conversion_rate,
        drop_date,
        row_number() over () as row_in_files
    from crm_conversion_rate_csv(getvariable('files_crm_conversion_rate'))
)
select * exclude (row_in_files)
from rate_rows
where iso_code is not null
    and start_date is not null
qualify row_number() over (
    partition by iso_code, start_date
    order by drop_date desc nulls last, row_in_files desc
) = 1;

-- stg_crm__login_history: distinct login events (a login delivered in two drops counts once)
create table staging.stg_crm__login_history as
with distinct_logins as (
    select distinct
        nullif(left(trim(UserId), 15), '') as user_id,
        LoginTime as login_at,
        nullif(trim(Status), '') as status
    from crm_login_csv(getvariable('files_crm_login'))
    where nullif(left(trim(UserId), 15), '') is not null
)
select
    user_id,
    login_at,
    login_at::date as login_date,
    status,
    coalesce(status = 'Success', false) as is_success
from distinct_logins;

-- ---------------------------------------------------------------------------------------------
-- HR

-- stg_hr__workers: every HR drop is a full snapshot, so only the rows of the newest one (with
-- rows) count; one row per worker per effective date (the later line wins)
create table staging.stg_hr__workers as
with worker_rows as (
    select
        nullif(trim(employee_id), '') as employee_id,
        nullif(lower(trim(work_email)), '') as work_email,
        nullif(trim(full_name), '') as full_name,
        nullif(trim(department), '') as department,
        nullif(trim(job_title), '') as job_title,
        nullif(trim(job_level), '') as job_level,
        nullif(trim(manager_employee_id), '') as manager_employee_id,
        nullif(trim(region), '') as region,
        hire_date,
        termination_date,
        lower(nullif(trim(termination_type), '')) as termination_type,
        regrettable as is_regrettable,
        effective_date,
        drop_date,
        row_number() over () as row_in_files
    from hr_workers_csv(getvariable('files_hr_workers'))
),
newest_snapshot_rows as (
    select *
    from worker_rows
    qualify drop_date = max(drop_date) over ()
)
select * exclude (row_in_files)
from newest_snapshot_rows
where employee_id is not null
qualify row_number() over (
    partition by employee_id, effective_date
    order by row_in_files desc
) = 1;

-- ---------------------------------------------------------------------------------------------
-- LMS

-- base_lms__statements: every xAPI statement delivered, typed (statement_id lower-cased, verb
-- without the ADL prefix, result.duration in seconds); source_line = the line in its file
create table staging.base_lms__statements as
with statement_lines as (
    select
        nullif(trim(id), '') as raw_id,
        nullif(trim(actor.mbox), '') as actor_mbox,
        nullif(trim(verb.id), '') as raw_verb_id,
        nullif(trim(object.id), '') as raw_object_id,
        nullif(trim(object.objectType), '') as raw_object_type,
        result.completion as result_completion,
        result.success as result_success,
        result.score.scaled as result_score_scaled,
        nullif(trim(result.duration), '') as raw_duration,
        timezone('UTC', try_cast(nullif(trim("timestamp"), '') as timestamptz)) as statement_timestamp,
        drop_date,
        filename,
        row_number() over () as row_in_files
    from lms_statements_jsonl(getvariable('files_lms_statements'))
),
duration_parts as (
    select
        *,
        regexp_extract(raw_duration,
            '^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$',
            ['w', 'd', 'h', 'm', 's']) as parts
    from statement_lines
)
select
    lower(trim(raw_id)) as statement_id,
    nullif(trim(replace(lower(actor_mbox), 'mailto:', '')), '') as actor_email,
    trim(raw_verb_id) as verb_id,
    replace(trim(raw_verb_id), 'http://adlnet.gov/expapi/verbs/', '') as verb,
    trim(raw_object_id) as object_id,
    nullif(trim(raw_object_type), '') as object_type,
    result_completion,
    result_success,
    result_score_scaled,
    nullif(trim(raw_duration), '') as result_duration,
    case when raw_duration is not null then
        coalesce(try_cast(nullif(parts.w, '') as double), 0) * 604800
        + coalesce(try_cast(nullif(parts.d, '') as double), 0) * 86400
        + coalesce(try_cast(nullif(parts.h, '') as double), 0) * 3600
        + coalesce(try_cast(nullif(parts.m, '') as double), 0) * 60
        + coalesce(try_cast(nullif(parts.s, '') as double), 0) * 1
    end as result_duration_seconds,
    statement_timestamp as statement_at,
    statement_timestamp::date as statement_date,
    drop_date,
    row_in_files - min(row_in_files) over (partition by filename) + 1 as source_line
from duration_parts;

-- stg_lms__statements: each statement's first delivery (drop, then line), without voided
-- statements and the voiding statements themselves
create table staging.stg_lms__statements as
with distinct_statements as (
    select *
    from staging.base_lms__statements
    where statement_id is not null
    qualify row_number() over (
        partition by statement_id
        order by drop_date asc nulls last, source_line asc nulls last
    ) = 1
),
voided_statement_ids as (
    select distinct lower(object_id) as voided_statement_id
    from distinct_statements
    where verb_id = 'http://adlnet.gov/expapi/verbs/voided'
)
select
    statement_id,
    actor_email,
    verb_id,
    verb,
    object_id as course_id,
    object_type,
    result_completion,
    result_success,
    result_score_scaled,
    result_duration,
    result_duration_seconds,
    statement_at,
    statement_date,
    drop_date
from distinct_statements
anti join voided_statement_ids
    on distinct_statements.statement_id = voided_statement_ids.voided_statement_id
where verb_id <> 'http://adlnet.gov/expapi/verbs/voided';

-- stg_lms__courses: the latest delivery of each course (drop, then line)
create table staging.stg_lms__courses as
with course_rows as (
    select
        trim(course_id) as course_id,
        nullif(trim(title), '') as course_title,
        lower(nullif(trim(category), '')) as category,
        expected_hours,
        drop_date,
        row_number() over () as row_in_files
    from lms_courses_csv(getvariable('files_lms_courses'))
)
select * exclude (row_in_files)
from course_rows
where course_id <> ''
qualify row_number() over (
    partition by course_id
    order by drop_date desc nulls last, row_in_files desc
) = 1;

-- stg_lms__assignments: the latest delivery per (work_email, course_id, assigned_date) (drop,
-- then line)
create table staging.stg_lms__assignments as
with assignment_rows as (
    select
        nullif(lower(trim(work_email)), '') as work_email,
        trim(course_id) as course_id,
        assigned_date,
        due_date,
        drop_date,
        row_number() over () as row_in_files
    from lms_assignments_csv(getvariable('files_lms_assignments'))
)
select * exclude (row_in_files)
from assignment_rows
where work_email is not null
    and course_id <> ''
qualify row_number() over (
    partition by work_email, course_id, assigned_date
    order by drop_date desc nulls last, row_in_files desc
) = 1;

-- ---------------------------------------------------------------------------------------------
-- shared intermediate

-- staging.int_hr__worker_periods (the pipeline's intermediate.int_hr__worker_periods): HR
-- periods per work email, each row in force from its effective_date (valid_from) to the day
-- before the next one of the same email (valid_to; NULL = open); team = the manager's full
-- name (from the manager's newest row). Read by the core marts and the later sections.
create table staging.int_hr__worker_periods as
with manager_names as (
    select employee_id, full_name
    from staging.stg_hr__workers
    qualify row_number() over (
        partition by employee_id
        order by effective_date desc nulls last, hire_date desc nulls last
    ) = 1
),
sequenced_rows as (
    select
        *,
        lead(effective_date) over (
            partition by work_email
            order by effective_date asc nulls last, hire_date asc nulls last, employee_id asc nulls last
        ) as next_effective_date
    from staging.stg_hr__workers
    where work_email is not null
        and effective_date is not null
)
select
    sequenced_rows.work_email,
    sequenced_rows.employee_id,
    sequenced_rows.full_name,
    sequenced_rows.department,
    sequenced_rows.job_title,
    sequenced_rows.job_level,
    sequenced_rows.manager_employee_id,
    manager_names.full_name as team,
    sequenced_rows.region,
    sequenced_rows.hire_date,
    sequenced_rows.termination_date,
    sequenced_rows.termination_type,
    sequenced_rows.is_regrettable,
    sequenced_rows.effective_date as valid_from,
    (sequenced_rows.next_effective_date - 1)::date as valid_to
from sequenced_rows
left join manager_names
    on sequenced_rows.manager_employee_id = manager_names.employee_id
where sequenced_rows.next_effective_date is null
    or sequenced_rows.next_effective_date - 1 >= sequenced_rows.effective_date;

-- ---------------------------------------------------------------------------------------------
-- core marts

-- dim_currency_rates: the conversion rates (units of iso_code per unit of the corporate
-- currency, in force from start_date up to next_start_date)
create table marts.dim_currency_rates as
select
    iso_code,
    start_date,
    next_start_date,
    conversion_rate,
    iso_code = 'USD' as is_reporting_currency,
    drop_date
from staging.stg_crm__dated_conversion_rates;

-- dim_rep_history: one row per CRM User per HR period of the worker with the same e-mail (one
-- open row with NULL HR attributes when none matches); is_current = in force on the as-of date
create table marts.dim_rep_history as
select
    users.user_id,
    users.email as rep_email,
    users.user_name as rep_name,
    worker_periods.employee_id,
    worker_periods.full_name as hr_full_name,
    worker_periods.team,
    worker_periods.manager_employee_id,
    worker_periods.region,
    worker_periods.job_title as role,
    worker_periods.job_level,
    worker_periods.department,
    worker_periods.hire_date,
    worker_periods.termination_date,
    worker_periods.valid_from,
    worker_periods.valid_to,
    worker_periods.employee_id is not null as has_hr_match,
    coalesce(
        (worker_periods.valid_from is null
            or worker_periods.valid_from <= getvariable('as_of_date')::date)
        and (worker_periods.valid_to is null
            or getvariable('as_of_date')::date <= worker_periods.valid_to),
        false
    ) as is_current
from staging.stg_crm__users as users
left join staging.int_hr__worker_periods as worker_periods
    on users.email = worker_periods.work_email;

-- dim_reps: each CRM User with its current HR attributes (the period in force on the as-of
-- date, else the latest started before it, else the first), CRM role and LMS actor
create table marts.dim_reps as
with lms_actors as (
    select actor_email, count(*) as lms_statement_count
    from staging.stg_lms__statements
    where actor_email is not null
    group by actor_email
),
current_periods as (
    select rep_history.*
    from marts.dim_rep_history as rep_history
    qualify row_number() over (
        partition by rep_history.user_id
        order by
            case
                when rep_history.is_current then 0
                when getvariable('as_of_date') is null
                    or rep_history.valid_from <= getvariable('as_of_date')::date then 1
                else 2
            end asc,
            case
                when getvariable('as_of_date') is null
                    or rep_history.valid_from <= getvariable('as_of_date')::date
                    then rep_history.valid_from
            end desc nulls last,
            rep_history.valid_from asc nulls last
    ) = 1
)
select
    users.user_id,
    users.email as rep_email,
    users.user_name as rep_name,
    users.is_active,
    users.title,
    users.manager_id,
    users.user_role_id,
    user_roles.role_name as crm_role_name,
    current_periods.employee_id,
    current_periods.team,
    current_periods.region,
    current_periods.role,
    current_periods.job_level,
    current_periods.department,
    current_periods.hire_date,
    current_periods.termination_date,
    current_periods.valid_from as attributes_valid_from,
    current_periods.has_hr_match,
    lms_actors.actor_email as lms_actor_email,
    coalesce(lms_actors.lms_statement_count, 0) as lms_statement_count,
    users.created_at,
    users.system_modstamp
from staging.stg_crm__users as users
left join current_periods
    on users.user_id = current_periods.user_id
left join staging.stg_crm__user_roles as user_roles
    on users.user_role_id = user_roles.user_role_id
left join lms_actors
    on users.email = lms_actors.actor_email;

-- dim_dates: one row per day from January 1st of the earliest opportunity / HR date to the end
-- of the year after the latest one (or the as-of date), with ISO weeks, months, quarters and
-- the fiscal calendar (fiscal year starting in January, named after the year it ends in)
create table marts.dim_dates as
with bounds_source as (
    select created_at::date as day_value from staging.stg_crm__opportunities
    union all
    select close_date from staging.stg_crm__opportunities
    union all
    select hire_date from staging.stg_hr__workers
    union all
    select getvariable('as_of_date')::date
),
bounds as (
    select
        date_trunc('year', min(day_value))::date as first_day,
        (date_trunc('year', max(day_value)) + interval 2 year - interval 1 day)::date as last_day
    from bounds_source
    where day_value is not null
),
calendar_days as (
    select unnest(generate_series(first_day, last_day, interval 1 day))::date as date_day
    from bounds
    where first_day is not null
),
calendar_parts as (
    select
        date_day,
        isodow(date_day) as iso_day_of_week,
        month(date_day) as calendar_month,
        date_trunc('month', date_day)::date as month_start,
        (month(date_day) - 1) % 12 as fiscal_month_index
    from calendar_days
)
select
    date_day,
    iso_day_of_week::integer as iso_day_of_week,
    iso_day_of_week <= 5 as is_weekday,
    (date_day - (iso_day_of_week - 1)::integer)::date as iso_week_start,
    month_start,
    last_day(date_day) as month_end,
    date_trunc('quarter', date_day)::date as quarter_start,
    date_trunc('year', date_day)::date as year_start,
    year(date_day)::integer as calendar_year,
    calendar_month::integer as calendar_month,
    quarter(date_day)::integer as calendar_quarter,
    year(date_day)::integer as fiscal_year,
    (fiscal_month_index // 3 + 1)::integer as fiscal_quarter,
    (fiscal_month_index + 1)::integer as fiscal_month,
    (month_start - to_months(fiscal_month_index))::date as fiscal_year_start,
    (month_start - to_months(fiscal_month_index % 3))::date as fiscal_quarter_start
from calendar_parts;

-- fct_opportunities: one row per live opportunity with its amount in the reporting currency
-- (rate in force on the CloseDate; the later start_date wins when two are in force) and its
-- owner's team and region as of the CloseDate
create table marts.fct_opportunities as
with opportunities as (
    select *, coalesce(currency_iso_code, 'USD') as record_currency
    from staging.stg_crm__opportunities
),
rate_coverage as (
    select
        count(*) as rate_count,
        count(*) filter (where iso_code = 'USD') as reporting_rate_count
    from staging.stg_crm__dated_conversion_rates
),
in_force_rates as (
    -- per opportunity, the rate of its currency and of the reporting currency on its CloseDate
    select
        opportunities.opportunity_id,
        arg_max(rates.conversion_rate, rates.start_date)
            filter (where rates.iso_code = opportunities.record_currency) as record_rate,
        arg_max(rates.conversion_rate, rates.start_date)
            filter (where rates.iso_code = 'USD') as reporting_rate
    from opportunities
    inner join staging.stg_crm__dated_conversion_rates as rates
        on rates.iso_code in (opportunities.record_currency, 'USD')
        and rates.start_date <= opportunities.close_date
        and (rates.next_start_date is null or opportunities.close_date < rates.next_start_date)
    group by opportunities.opportunity_id
),
converted_amounts as (
    select
        opportunities.opportunity_id,
        case
            when opportunities.amount is null then null
            when rate_coverage.rate_count = 0 then opportunities.amount
            when opportunities.record_currency = 'USD' then opportunities.amount
            when rate_coverage.reporting_rate_count = 0 and in_force_rates.record_rate is not null
                then opportunities.amount / in_force_rates.record_rate
            when in_force_rates.record_rate is null or in_force_rates.reporting_rate is null then null
            else opportunities.amount / in_force_rates.record_rate * in_force_rates.reporting_rate
        end::double as amount_reporting
    from opportunities
    cross join rate_coverage
    left join in_force_rates
        on opportunities.opportunity_id = in_force_rates.opportunity_id
),
owner_periods as (
    select
        opportunities.opportunity_id,
        worker_periods.team,
        worker_periods.region
    from opportunities
    inner join staging.stg_crm__users as owners
        on opportunities.owner_id = owners.user_id
    inner join staging.int_hr__worker_periods as worker_periods
        on owners.email = worker_periods.work_email
        and worker_periods.valid_from <= opportunities.close_date
        and (worker_periods.valid_to is null or opportunities.close_date <= worker_periods.valid_to)
)
select
    opportunities.opportunity_id,
    opportunities.account_id,
    opportunities.owner_id,
    owners.email as owner_email,
    opportunities.opportunity_name,
    opportunities.stage_name,
    opportunities.forecast_category,
    opportunities.is_closed,
    opportunities.is_won,
    opportunities.close_date,
    opportunities.created_date,
    opportunities.created_at,
    opportunities.amount,
    opportunities.record_currency as currency_iso_code,
    converted_amounts.amount_reporting,
    opportunities.probability,
    opportunities.lead_source,
    opportunities.opportunity_type,
    opportunities.next_step,
    case when opportunities.is_closed
        then date_diff('day', opportunities.created_date, opportunities.close_date)
    end as cycle_days,
    owner_periods.team as owner_team,
    owner_periods.region as owner_region,
    opportunities.system_modstamp,
    opportunities.drop_date,
    date_trunc('month', opportunities.close_date)::date as close_month,
    owners.user_name as owner_name
from opportunities
left join staging.stg_crm__users as owners
    on opportunities.owner_id = owners.user_id
left join converted_amounts
    on opportunities.opportunity_id = converted_amounts.opportunity_id
left join owner_periods
    on opportunities.opportunity_id = owner_periods.opportunity_id;

-- ---------------------------------------------------------------------------------------------
-- clean up what only this section uses

drop table landing_files;
drop macro table crm_account_csv;
drop macro table crm_conversion_rate_csv;
drop macro table crm_event_csv;
drop macro table crm_quota_csv;
drop macro table crm_lead_csv;
drop macro table crm_login_csv;
drop macro table crm_opportunity_csv;
drop macro table crm_opportunity_history_csv;
drop macro table crm_task_csv;
drop macro table crm_user_csv;
drop macro table crm_user_role_csv;
drop macro table hr_workers_csv;
drop macro table lms_courses_csv;
drop macro table lms_assignments_csv;
drop macro table lms_statements_jsonl;
reset variable files_crm_account;
reset variable files_crm_conversion_rate;
reset variable files_crm_event;
reset variable files_crm_quota;
reset variable files_crm_lead;
reset variable files_crm_login;
reset variable files_crm_opportunity;
reset variable files_crm_opportunity_history;
reset variable files_crm_task;
reset variable files_crm_user;
reset variable files_crm_user_role;
reset variable files_hr_workers;
reset variable files_lms_statements;
reset variable files_lms_courses;
reset variable files_lms_assignments;
