-- The calendar of the marts and MetricFlow's time spine: one row per UTC day, from the first day of the first month
-- with costs through the last day of the newest month (fct_cursor_costs_daily; today alone while it is empty).
-- Bounded by the data, so a month-to-date metric joins only the days it can use.

{%- set costs = ref('fct_cursor_costs_daily') -%}
{%- set first_day = "(select coalesce(min(" ~ month_of('usage_date') ~ "), current_date) from " ~ costs ~ ")" -%}
{%- set next_month = dbt.dateadd('month', 1, 'max(' ~ month_of('usage_date') ~ ')') -%}
{%- set tomorrow = dbt.dateadd('day', 1, 'current_date') -%}
{%- set after_last_day = "(select coalesce(" ~ next_month ~ ", " ~ tomorrow ~ ") from " ~ costs ~ ")" %}

with

days as (

    {{ dbt.date_spine('day', first_day, after_last_day) }}

),

final as (

    select cast(date_day as date) as date_day
    from days
    where date_day < {{ after_last_day }}

)

select * from final
