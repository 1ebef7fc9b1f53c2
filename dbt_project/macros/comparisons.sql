{#- The least and the greatest of values, ignoring nulls (null only when all are null), as DuckDB's and PostgreSQL's
    least() and greatest() do; Snowflake's return null when any value is null, so it has functions of their own. -#}
{% macro least_ignoring_nulls(values) -%}
    {{ return(adapter.dispatch('least_ignoring_nulls', 'cursor_spend')(values)) }}
{%- endmacro %}

{% macro default__least_ignoring_nulls(values) -%}
    least({{ values | join(', ') }})
{%- endmacro %}

{% macro snowflake__least_ignoring_nulls(values) -%}
    least_ignore_nulls({{ values | join(', ') }})
{%- endmacro %}

{% macro greatest_ignoring_nulls(values) -%}
    {{ return(adapter.dispatch('greatest_ignoring_nulls', 'cursor_spend')(values)) }}
{%- endmacro %}

{% macro default__greatest_ignoring_nulls(values) -%}
    greatest({{ values | join(', ') }})
{%- endmacro %}

{% macro snowflake__greatest_ignoring_nulls(values) -%}
    greatest_ignore_nulls({{ values | join(', ') }})
{%- endmacro %}
