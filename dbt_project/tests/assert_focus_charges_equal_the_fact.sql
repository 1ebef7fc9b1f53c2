-- Every cost column of fct_cursor_focus_charges sums to fct_cursor_costs_daily per team, month and charge type:
-- BilledCost and EffectiveCost to billed_cost_usd, ListCost and ContractedCost to list_cost_usd (a seat-day's fee
-- is billed on its purchase row and effective on its Usage row).

{%- set charge_day = utc_timestamp('"ChargePeriodStart"') %}

with

fact as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        charge_type,
        sum(billed_cost_usd) as billed_cost_usd,
        sum(list_cost_usd) as list_cost_usd

    from {{ ref('fct_cursor_costs_daily') }}
    group by team, {{ month_of('usage_date') }}, charge_type

),

focus as (

    select
        "BillingAccountId" as team,
        {{ month_of(charge_day) }} as usage_month,
        "x_ChargeType" as charge_type,
        sum("BilledCost") as billed_cost,
        sum("EffectiveCost") as effective_cost,
        sum("ListCost") as list_cost,
        sum("ContractedCost") as contracted_cost,
        sum(case when "BillingPeriodStart" != {{ utc_midnight(month_of(charge_day)) }} then 1 else 0 end)
            as rows_outside_their_period

    from {{ ref('fct_cursor_focus_charges') }}
    group by "BillingAccountId", {{ month_of(charge_day) }}, "x_ChargeType"

)

select
    coalesce(fact.team, focus.team) as team,
    coalesce(fact.usage_month, focus.usage_month) as usage_month,
    coalesce(fact.charge_type, focus.charge_type) as charge_type,
    fact.billed_cost_usd,
    focus.billed_cost

from fact
full outer join focus
    on fact.team = focus.team
    and fact.usage_month = focus.usage_month
    and fact.charge_type = focus.charge_type
where fact.team is null
    or focus.team is null
    or fact.billed_cost_usd != focus.billed_cost
    or fact.billed_cost_usd != focus.effective_cost
    or fact.list_cost_usd != focus.list_cost
    or fact.list_cost_usd != focus.contracted_cost
    or focus.rows_outside_their_period > 0
