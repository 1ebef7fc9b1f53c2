{#- Values as text for the one-line messages of rpt_cursor_alerts. -#}

{#- Dollars: '$' and two decimals (half away from zero), e.g. $1234.50. -#}
{% macro usd_text(amount) -%}
    ('$' || cast(cast(round(cast({{ amount }} as decimal(38, 11)), 2) as decimal(38, 2)) as varchar))
{%- endmacro %}

{#- A ratio with one decimal (half away from zero), e.g. 3.7 (a decimal with a scale: a bare NUMERIC is an integer
    in Snowflake). -#}
{% macro one_decimal_text(ratio) -%}
    cast(cast(round(cast({{ ratio }} as decimal(38, 9)), 1) as decimal(18, 1)) as varchar)
{%- endmacro %}

{#- A month, e.g. 2026-11. -#}
{% macro month_text(day) -%}
    substring(cast({{ day }} as varchar), 1, 7)
{%- endmacro %}
