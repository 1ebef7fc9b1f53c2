{#- Days and months: the calendar month of a day and its length, days after a day, the next billing cycle's start, a
    day spine's offsets, weekends. -#}

{#- The first day of a date's calendar month, as a date. The cast to timestamp keeps PostgreSQL's date_trunc off
    its timestamp-with-time-zone variant, which depends on the session's time zone. -#}
{% macro month_of(day) -%}
    cast({{ dbt.date_trunc('month', 'cast(' ~ day ~ ' as timestamp)') }} as date)
{%- endmacro %}

{#- Days in the calendar month of a date (28 to 31). -#}
{% macro days_in_month(day) -%}
    cast({{ dbt.datediff(month_of(day), dbt.dateadd('month', 1, month_of(day)), 'day') }} as integer)
{%- endmacro %}

{#- The day of the month of a date (1 to 31). -#}
{% macro day_of_month(day) -%}
    cast(extract(day from {{ day }}) as integer)
{%- endmacro %}

{#- The day `days` days after a date, as a date (PostgreSQL's dateadd returns a timestamp). -#}
{% macro add_days(day, days) -%}
    cast({{ dbt.dateadd('day', days, day) }} as date)
{%- endmacro %}

{#- The first day of the billing cycle after one that starts on `cycle_start`, for a cycle anchored on day
    `anchor_day` of the month: that day of the next month, or its last day when the month is shorter (Cursor's
    cycleStart of a team anchored on the 31st: 2026-10-31, 2026-11-30, 2026-12-31). -#}
{% macro next_cycle_start(cycle_start, anchor_day) -%}
    {%- set next_month = dbt.dateadd('month', 1, month_of(cycle_start)) -%}
    {{ add_days(next_month, 'least(' ~ anchor_day ~ ', ' ~ days_in_month(next_month) ~ ') - 1') }}
{%- endmacro %}

{#- The integers 0 .. upper_bound - 1 as a subquery with the column `day_number` (a day spine's offsets). -#}
{% macro day_numbers(upper_bound) -%}
    (select cast(generated_number as integer) - 1 as day_number from ({{ dbt.generate_series(upper_bound) }}) as n)
{%- endmacro %}

{#- Whether a date is a Saturday or a Sunday (extract(dow) is 0 for Sunday and 6 for Saturday in DuckDB and
    PostgreSQL; Snowflake's day of week depends on the session's WEEK_START, its ISO day of week does not). -#}
{% macro is_weekend(day) -%}
    {{ return(adapter.dispatch('is_weekend', 'cursor_spend')(day)) }}
{%- endmacro %}

{% macro default__is_weekend(day) -%}
    (extract(dow from {{ day }}) in (0, 6))
{%- endmacro %}

{% macro snowflake__is_weekend(day) -%}
    (dayofweekiso({{ day }}) in (6, 7))
{%- endmacro %}
