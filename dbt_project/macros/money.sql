{#- Money stays exact end to end: DECIMAL(38, 9) cents (NUMERIC in PostgreSQL, NUMBER in Snowflake), converted to
    dollars once. DuckDB turns decimal / integer into DOUBLE, so money is never divided with `/` there (see
    exact_divide). A cast to decimal always names its scale: a bare NUMERIC is NUMBER(38, 0) in Snowflake. -#}

{#- Cents to dollars: multiplying by the decimal literal 0.01 is exact (scale 9 + 2 = 11). -#}
{% macro cents_to_dollars(column) -%}
    cast(coalesce({{ column }}, 0) * 0.01 as decimal(38, 11))
{%- endmacro %}

{#- Dollars of amount / divisor, rounded half away from zero to 9 decimals, exact on every adapter. -#}
{% macro exact_divide(amount, divisor) -%}
    {{ return(adapter.dispatch('exact_divide', 'cursor_spend')(amount, divisor)) }}
{%- endmacro %}

{#- DuckDB: in integers (HUGEINT), where integer division is exact: nano-dollars of the amount over the divisor in
    units of 10^-11 (the scale of every money column), so a divisor in dollars divides as exactly as a count (DuckDB's
    // of decimals is not an integer division: 25 / 100 % came out 25.000000001). -#}
{% macro duckdb__exact_divide(amount, divisor) -%}
    cast(
        cast(
            (cast(cast({{ amount }} as decimal(38, 9)) * 1000000000 as hugeint) * 200000000000
                + cast(cast({{ divisor }} as decimal(38, 11)) * 100000000000 as hugeint))
            // (cast(cast({{ divisor }} as decimal(38, 11)) * 100000000000 as hugeint) * 2)
            as decimal(38, 0)
        ) * 0.000000001
        as decimal(38, 11)
    )
{%- endmacro %}

{#- PostgreSQL and Snowflake: decimal division, then round() (half away from zero). The amount gets scale 20 (up to
    10^18 dollars), so the quotient has at least 20 decimals before it is rounded to 9 (Snowflake keeps the
    dividend's scale, PostgreSQL at least that). -#}
{% macro default__exact_divide(amount, divisor) -%}
    cast(round(cast({{ amount }} as decimal(38, 20)) / ({{ divisor }}), 9) as decimal(38, 11))
{%- endmacro %}
