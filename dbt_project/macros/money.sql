{#- Money stays DECIMAL end to end. DuckDB turns decimal / integer into DOUBLE, so never divide money. -#}

{#- Cents (DECIMAL(38, 9)) to dollars: multiplying by the DECIMAL literal 0.01 is exact (scale 9 + 2 = 11). -#}
{% macro cents_to_dollars(column) -%}
    cast(coalesce({{ column }}, 0) * 0.01 as decimal(38, 11))
{%- endmacro %}

{#- Dollars rounded half-up to 9 decimals of (amount / divisor), computed in integer nano-dollars. -#}
{% macro exact_divide(amount, divisor) -%}
    cast(
        cast(
            (cast(cast({{ amount }} as decimal(38, 9)) * 1000000000 as hugeint) * 2 + ({{ divisor }}))
            // (2 * ({{ divisor }}))
            as decimal(38, 0)
        ) * 0.000000001
        as decimal(38, 11)
    )
{%- endmacro %}

{#- Cost of one seat-day: the monthly price spread evenly over the days of that calendar month. -#}
{% macro seat_day_cost(monthly_price, day) -%}
    {{ exact_divide(monthly_price, 'day(last_day(' ~ day ~ '))') }}
{%- endmacro %}

{#- Epoch milliseconds (UTC) to a UTC timestamp without time zone. -#}
{% macro epoch_ms_to_utc(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000)
{%- endmacro %}
