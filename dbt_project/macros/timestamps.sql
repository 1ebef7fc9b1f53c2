{#- UTC instants: the API's epoch milliseconds, dlt's timestamps with time zone and the start of a UTC day, the same
    whatever the session's time zone. -#}

{#- Epoch milliseconds (UTC) to a UTC timestamp without time zone, to the millisecond. -#}
{% macro epoch_ms_to_utc(column) -%}
    {{ return(adapter.dispatch('epoch_ms_to_utc', 'cursor_spend')(column)) }}
{%- endmacro %}

{% macro duckdb__epoch_ms_to_utc(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000)
{%- endmacro %}

{#- Milliseconds after the epoch with dbt's dateadd (PostgreSQL: times an interval; Snowflake: dateadd()). -#}
{% macro default__epoch_ms_to_utc(column) -%}
    {{ dbt.dateadd('millisecond', 'cast(' ~ column ~ ' as bigint)', "cast('1970-01-01 00:00:00' as timestamp)") }}
{%- endmacro %}

{#- A timestamp with time zone (as dlt loads them) as the UTC wall-clock timestamp, whatever the session's zone. -#}
{% macro utc_timestamp(column) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'cursor_spend')(column)) }}
{%- endmacro %}

{% macro default__utc_timestamp(column) -%}
    (cast({{ column }} as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{#- Snowflake has no AT TIME ZONE: convert_timezone() to UTC, then the wall clock without the offset. -#}
{% macro snowflake__utc_timestamp(column) -%}
    cast(convert_timezone('UTC', cast({{ column }} as timestamp_tz)) as timestamp_ntz)
{%- endmacro %}

{#- The instant a UTC day (a date) begins, as a timestamp with time zone, whatever the session's time zone. -#}
{% macro utc_midnight(day) -%}
    {{ return(adapter.dispatch('utc_midnight', 'cursor_spend')(day)) }}
{%- endmacro %}

{% macro default__utc_midnight(day) -%}
    (cast({{ day }} as timestamp) at time zone 'UTC')
{%- endmacro %}

{#- Snowflake reads a timestamp without zone in the session's zone, so the instant is built from the day's parts. -#}
{% macro snowflake__utc_midnight(day) -%}
    {%- set day = 'cast(' ~ day ~ ' as date)' -%}
    timestamp_tz_from_parts(year({{ day }}), month({{ day }}), day({{ day }}), 0, 0, 0, 0, 'UTC')
{%- endmacro %}
