{#- Statistics that are not money: a median and a share, as doubles. -#}

{#- The median of a numeric expression, as a double, as an aggregate (ordered-set aggregates are not window
    functions in PostgreSQL: use it with group by). -#}
{% macro median(expression) -%}
    percentile_cont(0.5) within group (order by cast({{ expression }} as double precision))
{%- endmacro %}

{#- A ratio as a double (a share, not money); null when the whole is 0. Integers divide as integers in PostgreSQL. -#}
{% macro share(part, whole) -%}
    cast(cast({{ part }} as double precision) / nullif(cast({{ whole }} as double precision), 0) as double precision)
{%- endmacro %}
