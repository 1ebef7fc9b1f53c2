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
