{#- THE exact split: an amount (dollars, never negative) split over the rows of a partition in proportion to their
    weights, so that the shares add up to the amount to the last digit. Cumulative rounding (as the largest-remainder
    method, it never loses a remainder): with the rows in a fixed order and W the partition's total weight,
        share of row k = round(amount x (weights of rows 1..k) / W) - round(amount x (weights of rows 1..k-1) / W)
    rounded half up at 11 decimals, the scale of the fact's dollars. The rounded running totals start at 0 and end
    at round(amount x W / W) = the amount itself, so the shares sum to it exactly; each share differs from its exact
    proportion by less than 1e-11 dollars.
    weight: the row's weight; weight_through: the running sum of weights through the row (a window
    `sum(weight) over (partition by ... order by ... rows between unbounded preceding and current row)`);
    total: the partition's total weight. -#}
{% macro exact_split(amount, weight, weight_through, total) -%}
    (
        {{ share_at_money_scale(amount, weight_through, total) }}
        - {{ share_at_money_scale(amount, '(' ~ weight_through ~ ' - ' ~ weight ~ ')', total) }}
    )
{%- endmacro %}

{#- amount x part / whole (part and whole integers, whole > 0), rounded half up to 11 decimals, exactly: in integer
    units of 1e-11 dollars, where integer division is exact on every adapter. -#}
{% macro share_at_money_scale(amount, part, whole) -%}
    {{ return(adapter.dispatch('share_at_money_scale', 'cursor_spend')(amount, part, whole)) }}
{%- endmacro %}

{#- DuckDB: HUGEINT and its integer division `//`. -#}
{% macro duckdb__share_at_money_scale(amount, part, whole) -%}
    cast(
        cast(
            (cast(cast({{ amount }} as decimal(38, 11)) * 100000000000 as hugeint) * ({{ part }}) * 2 + ({{ whole }}))
            // (2 * ({{ whole }}))
            as decimal(38, 0)
        ) * 0.00000000001
        as decimal(38, 11)
    )
{%- endmacro %}

{#- PostgreSQL: numeric and div() (the integer quotient). -#}
{% macro default__share_at_money_scale(amount, part, whole) -%}
    cast(
        div(cast({{ amount }} as numeric) * 100000000000 * ({{ part }}) * 2 + ({{ whole }}), 2 * ({{ whole }}))
        * 0.00000000001
        as decimal(38, 11)
    )
{%- endmacro %}

{#- Snowflake: no integer division operator; x - mod(x, d) is a multiple of d, so its quotient is exact in NUMBER. -#}
{% macro snowflake__share_at_money_scale(amount, part, whole) -%}
    {%- set scaled -%}
        (cast(cast({{ amount }} as number(38, 11)) * 100000000000 as number(38, 0)) * ({{ part }}) * 2 + ({{ whole }}))
    {%- endset -%}
    cast(
        ({{ scaled }} - mod({{ scaled }}, 2 * ({{ whole }}))) / (2 * ({{ whole }})) * 0.00000000001
        as number(38, 11)
    )
{%- endmacro %}
