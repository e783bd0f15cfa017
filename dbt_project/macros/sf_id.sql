{#- Record identity of a Salesforce Id or reference: its first 15 characters
    (the 15- and 18-character forms name the same record); empty -> NULL. -#}
{% macro sf_id(column) -%}
    nullif(substring(trim({{ column }}), 1, 15), '')
{%- endmacro %}

{#- The object a Task's or Event's WhoId names, from the Id's key prefix: Lead (00Q) or
    Contact (003); NULL otherwise. `who_id` is a 15-character identity (sf_id). -#}
{% macro sf_who_object(who_id) -%}
    case substring({{ who_id }}, 1, 3) when '00Q' then 'Lead' when '003' then 'Contact' end
{%- endmacro %}

{#- The object a Task's or Event's WhatId names, from the Id's key prefix: Opportunity (006) or
    Account (001); NULL otherwise. `what_id` is a 15-character identity (sf_id). -#}
{% macro sf_what_object(what_id) -%}
    case substring({{ what_id }}, 1, 3) when '006' then 'Opportunity' when '001' then 'Account' end
{%- endmacro %}
