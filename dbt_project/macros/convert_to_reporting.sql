{#- Amounts converted to the reporting currency (var reporting_currency) at the
    DatedConversionRate in force on a date, as one select to use as a CTE body:

        converted_amounts as (
            {{ convert_to_reporting('opportunities', ['opportunity_id'], 'amount',
                                             'currency_iso_code', 'close_date') }}
        )

    returns the key columns of `relation` and amount_reporting (double). The rules (METRICS.md
    "Currency", docs/decisions.md), the same as fct_opportunities:
    - conversion_rate is units of iso_code per one unit of the corporate currency, in force for
      start_date <= day < next_start_date (NULL next_start_date = open-ended); if two rates of a
      currency are in force on a day, the later start_date wins;
    - amount_reporting = amount / rate(record currency) * rate(reporting currency);
    - no DatedConversionRate at all: the amount as it is;
    - record currency = reporting currency (or NULL, taken as the reporting currency): as it is;
    - the reporting currency never among the rates: it is the corporate currency (rate 1);
    - no rate in force on the day: NULL (left out of every sum). -#}
{% macro convert_to_reporting(relation, key_columns, amount, currency, on_date) -%}
{%- set reporting_currency = var('reporting_currency') -%}
{%- set keys = key_columns if key_columns is not string else [key_columns] -%}
{%- set key_list = keys | join(', ') -%}
    select
        {%- for key in keys %}
        converted_rows.{{ key }},
        {%- endfor %}
        cast(case
            when converted_rows.amount_value is null then null
            -- no DatedConversionRate at all: amounts are taken as they are
            when converted_rows.rate_count = 0 then converted_rows.amount_value
            when converted_rows.record_currency = '{{ reporting_currency }}' then converted_rows.amount_value
            -- the reporting currency never appears among the rates: it is the corporate currency
            when converted_rows.reporting_rate_count = 0 and converted_rows.record_rate is not null
                then converted_rows.amount_value / converted_rows.record_rate
            when converted_rows.record_rate is null or converted_rows.reporting_rate is null then null
            else converted_rows.amount_value / converted_rows.record_rate * converted_rows.reporting_rate
        end as double) as amount_reporting
    from (
        select
            {%- for key in keys %}
            pipeline_amounts.{{ key }},
            {%- endfor %}
            pipeline_amounts.amount_value,
            pipeline_amounts.record_currency,
            pipeline_rate_coverage.rate_count,
            pipeline_rate_coverage.reporting_rate_count,
            record_rates.conversion_rate as record_rate,
            reporting_rates.conversion_rate as reporting_rate
        from (
            select
                {%- for key in keys %}
                amount_rows.{{ key }},
                {%- endfor %}
                amount_rows.amount_value,
                amount_rows.record_currency,
                max(case when in_force_rates.iso_code = amount_rows.record_currency then in_force_rates.start_date end) as record_rate_start,
                max(case when in_force_rates.iso_code = '{{ reporting_currency }}' then in_force_rates.start_date end) as reporting_rate_start
            from (
                select
                    {{ key_list }},
                    {{ amount }} as amount_value,
                    coalesce({{ currency }}, '{{ reporting_currency }}') as record_currency,
                    {{ on_date }} as rate_day
                from {{ relation }}
            ) as amount_rows
            left join {{ ref('stg_crm__dated_conversion_rates') }} as in_force_rates
                on in_force_rates.iso_code in (amount_rows.record_currency, '{{ reporting_currency }}')
                and in_force_rates.start_date <= amount_rows.rate_day
                and (in_force_rates.next_start_date is null or amount_rows.rate_day < in_force_rates.next_start_date)
            group by
                {%- for key in keys %}
                amount_rows.{{ key }},
                {%- endfor %}
                amount_rows.amount_value,
                amount_rows.record_currency
        ) as pipeline_amounts
        left join {{ ref('stg_crm__dated_conversion_rates') }} as record_rates
            on pipeline_amounts.record_currency = record_rates.iso_code
            and pipeline_amounts.record_rate_start = record_rates.start_date
        left join {{ ref('stg_crm__dated_conversion_rates') }} as reporting_rates
            on reporting_rates.iso_code = '{{ reporting_currency }}'
            and pipeline_amounts.reporting_rate_start = reporting_rates.start_date
        cross join (
            select
                count(*) as rate_count,
                count(case when iso_code = '{{ reporting_currency }}' then 1 end) as reporting_rate_count
            from {{ ref('stg_crm__dated_conversion_rates') }}
        ) as pipeline_rate_coverage
    ) as converted_rows
{%- endmacro %}
