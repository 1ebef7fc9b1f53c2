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
    (cast({{ column }} as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{#- The instant a UTC day (a date) begins, as a timestamp with time zone, whatever the session's time zone. -#}
{% macro utc_midnight(day) -%}
    (cast({{ day }} as timestamp) at time zone 'UTC')
{%- endmacro %}
