{#- THE projection of one future day of a series: its weekday or weekend daily rate from int_forecast_rates (the
    forecasts' one method: budgets, billing cycles). -#}
{% macro projected_day(rates, day) -%}
    case when {{ is_weekend(day) }} then {{ rates }}.weekend_rate_usd else {{ rates }}.weekday_rate_usd end
{%- endmacro %}
