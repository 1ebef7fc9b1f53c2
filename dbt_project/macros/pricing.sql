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

{#- Cost of a seat held from the first of a calendar month through its day `days` (default: the day of `day`):
    monthly price x days / days in the month, rounded half away from zero to 9 decimals. -#}
{% macro seat_cost_through(monthly_price, day, days=none) -%}
    {{ exact_divide('(' ~ monthly_price ~ ') * (' ~ (days or day_of_month(day)) ~ ')', days_in_month(day)) }}
{%- endmacro %}

{#- Cost of one seat-day: the cost through that day minus the cost through the day before. Each day costs the
    monthly price / days in the month to within $0.000000001, and the seat-days of a whole month sum to the monthly
    price exactly (a $40 November: 1.333333333 or 1.333333334 a day, $40.000000000 in all; the rounded quotient
    alone, 1.333333333 a day, summed to $39.99999999). -#}
{% macro seat_day_cost(monthly_price, day) -%}
    cast(
        {{ seat_cost_through(monthly_price, day) }} - {{ seat_cost_through(monthly_price, day, day_of_month(day) ~ ' - 1') }}
        as decimal(38, 11)
    )
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
