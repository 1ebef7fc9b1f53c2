{#- THE amount of one or more charge types (seat, on_demand, included, not_charged): an amount summed over the rows
    of those charge types, 0 where there are none. The amounts the marts split spend into:
      seats_usd           = charge_type_sum('seat', 'billed_cost_usd')        the estimated seat fee
      on_demand_usd       = charge_type_sum('on_demand', 'billed_cost_usd')   billed usage
      included_value_usd  = charge_type_sum('included', 'list_cost_usd')      the value the plan's allowance covered
    and, from the events, billed cents = charge_type_sum('on_demand', 'charged_cents'). `column` names the charge type
    where it is qualified. -#}
{% macro charge_type_sum(charge_types, amount, column='charge_type') -%}
    {%- set types = [charge_types] if charge_types is string else charge_types -%}
    {%- set condition = "= '" ~ types[0] ~ "'" if types | length == 1 else "in ('" ~ types | join("', '") ~ "')" -%}
    sum(case when {{ column }} {{ condition }} then {{ amount }} else 0 end)
{%- endmacro %}
