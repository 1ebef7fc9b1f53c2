{#- Money stays exact end to end: DECIMAL(38, 9) cents in DuckDB, NUMERIC in PostgreSQL, converted to dollars once.
    DuckDB turns decimal / integer into DOUBLE, so money is never divided with `/` there (see exact_divide). -#}

{#- Cents to dollars: multiplying by the decimal literal 0.01 is exact (scale 9 + 2 = 11). -#}
{% macro cents_to_dollars(column) -%}
    cast(coalesce({{ column }}, 0) * 0.01 as decimal(38, 11))
{%- endmacro %}

{#- Dollars of amount / divisor, rounded half away from zero to 9 decimals, exact on every adapter. -#}
{% macro exact_divide(amount, divisor) -%}
    {{ return(adapter.dispatch('exact_divide', 'cursor_spend')(amount, divisor)) }}
{%- endmacro %}

{#- DuckDB: in integer nano-dollars (HUGEINT), where integer division is exact. -#}
{% macro duckdb__exact_divide(amount, divisor) -%}
    cast(
        cast(
            (cast(cast({{ amount }} as decimal(38, 9)) * 1000000000 as hugeint) * 2 + ({{ divisor }}))
            // (2 * ({{ divisor }}))
            as decimal(38, 0)
        ) * 0.000000001
        as decimal(38, 11)
    )
{%- endmacro %}

{#- PostgreSQL (and other numeric-exact SQL): numeric division, then round() (half away from zero). -#}
{% macro default__exact_divide(amount, divisor) -%}
    cast(round(cast({{ amount }} as numeric) / ({{ divisor }}), 9) as decimal(38, 11))
{%- endmacro %}

{#- Days in the calendar month of a date (28 to 31). -#}
{% macro days_in_month(day) -%}
    cast({{ dbt.datediff(month_of(day), dbt.dateadd('month', 1, month_of(day)), 'day') }} as integer)
{%- endmacro %}

{#- Cost of one seat-day: the monthly price spread evenly over the days of that calendar month. -#}
{% macro seat_day_cost(monthly_price, day) -%}
    {{ exact_divide(monthly_price, days_in_month(day)) }}
{%- endmacro %}

{#- A ratio as a double (a share, not money); null when the whole is 0. Integers divide as integers in PostgreSQL. -#}
{% macro share(part, whole) -%}
    cast(cast({{ part }} as double precision) / nullif(cast({{ whole }} as double precision), 0) as double precision)
{%- endmacro %}

{#- Dollars as text for a message: '$' and two decimals (half away from zero), e.g. $1234.50. -#}
{% macro usd_text(amount) -%}
    ('$' || cast(cast(round(cast({{ amount }} as decimal(38, 11)), 2) as decimal(38, 2)) as varchar))
{%- endmacro %}
