{#- Calendar and forecast helpers shared by the budget, cycle-forecast and anomaly models. -#}

{#- Whether a date is a Saturday or a Sunday (extract(dow) is 0 for Sunday and 6 for Saturday on every adapter). -#}
{% macro is_weekend(day) -%}
    (extract(dow from {{ day }}) in (0, 6))
{%- endmacro %}

{#- The day `days` days after a date, as a date (PostgreSQL's dateadd returns a timestamp). -#}
{% macro add_days(day, days) -%}
    cast({{ dbt.dateadd('day', days, day) }} as date)
{%- endmacro %}

{#- The integers 0 .. upper_bound - 1 as a subquery with the column `day_number` (a day spine's offsets). -#}
{% macro day_numbers(upper_bound) -%}
    (select cast(generated_number as integer) - 1 as day_number from ({{ dbt.generate_series(upper_bound) }}) as n)
{%- endmacro %}

{#- The median of a numeric expression, as a double, as an aggregate (ordered-set aggregates are not window
    functions in PostgreSQL: use it with group by). -#}
{% macro median(expression) -%}
    percentile_cont(0.5) within group (order by cast({{ expression }} as double precision))
{%- endmacro %}

{#- THE projection of one future day of a series: its weekday or weekend daily rate from int_forecast_rates. -#}
{% macro projected_day(rates, day) -%}
    case when {{ is_weekend(day) }} then {{ rates }}.weekend_rate_usd else {{ rates }}.weekday_rate_usd end
{%- endmacro %}

{#- The monthly included usage, in dollars, of a seat of `role` (var included_usage_usd: role -> dollars, '*' for
    every other role). -#}
{% macro included_usage_usd(role) -%}
    {%- set allowances = var('included_usage_usd') -%}
    cast(case {{ role }}
        {%- for seat_type, dollars in allowances.items() if seat_type != '*' %}
        when '{{ seat_type }}' then {{ dollars }}
        {%- endfor %}
        else {{ allowances.get('*', 0) }}
    end as decimal(38, 11))
{%- endmacro %}

{#- A month as text for a message, e.g. 2026-11. -#}
{% macro month_text(day) -%}
    substring(cast({{ day }} as varchar), 1, 7)
{%- endmacro %}
