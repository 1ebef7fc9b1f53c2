{#- What a seat costs and includes: the seat price var, a seat-day's estimated fee, a seat's included usage. -#}

{#- The seat price a build uses: var('seat_price_usd'), checked once so that a bad value (negative, nan, inf, not a
    number) stops the build at once with a message naming the var, whichever way dbt was started. -#}
{% macro seat_price_usd() -%}
    {%- set raw = var('seat_price_usd') -%}
    {%- set text = raw | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]+(\.[0-9]+)?', text) -%}
        {{ exceptions.raise_compiler_error(
            "var seat_price_usd=" ~ (raw | string) ~ " is not a seat price: give a monthly price in dollars >= 0, "
            ~ "e.g. --vars '{\"seat_price_usd\": 40}' (or CURSOR_SEAT_PRICE_USD for cursor-spend)"
        ) }}
    {%- endif -%}
    cast({{ text }} as decimal(18, 6))
{%- endmacro %}

{#- Cost of one seat-day: the monthly price spread evenly over the days of that calendar month. -#}
{% macro seat_day_cost(monthly_price, day) -%}
    {{ exact_divide(monthly_price, days_in_month(day)) }}
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
