{#- Values as text for the one-line messages of rpt_cursor_alerts. -#}

{#- Dollars: '$' and two decimals (half away from zero), e.g. $1234.50. -#}
{% macro usd_text(amount) -%}
    ('$' || cast(cast(round(cast({{ amount }} as decimal(38, 11)), 2) as decimal(38, 2)) as varchar))
{%- endmacro %}

{#- A month, e.g. 2026-11. -#}
{% macro month_text(day) -%}
    substring(cast({{ day }} as varchar), 1, 7)
{%- endmacro %}
