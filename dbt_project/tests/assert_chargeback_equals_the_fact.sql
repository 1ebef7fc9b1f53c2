-- The billing groups of rpt_cursor_chargeback_monthly sum to fct_cursor_costs_daily per team and month: no cost is
-- lost or charged twice when members move between groups.

with

fact as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        sum(case when charge_type = 'seat' then billed_cost_usd else 0 end) as seats_usd,
        sum(case when charge_type = 'on_demand' then billed_cost_usd else 0 end) as on_demand_usd,
        sum(case when charge_type = 'included' then list_cost_usd else 0 end) as included_value_usd,
        sum(request_count) as request_count

    from {{ ref('fct_cursor_costs_daily') }}
    group by team, {{ month_of('usage_date') }}

),

groups as (

    select
        team,
        usage_month,
        sum(seats_usd) as seats_usd,
        sum(on_demand_usd) as on_demand_usd,
        sum(included_value_usd) as included_value_usd,
        sum(request_count) as request_count,
        sum(case when total_usd != seats_usd + on_demand_usd then 1 else 0 end) as inconsistent_totals

    from {{ ref('rpt_cursor_chargeback_monthly') }}
    group by team, usage_month

)

select
    coalesce(fact.team, groups.team) as team,
    coalesce(fact.usage_month, groups.usage_month) as usage_month,
    fact.seats_usd + fact.on_demand_usd as fact_total_usd,
    groups.seats_usd + groups.on_demand_usd as chargeback_total_usd

from fact
full outer join groups
    on fact.team = groups.team
    and fact.usage_month = groups.usage_month
where fact.team is null
    or groups.team is null
    or fact.seats_usd != groups.seats_usd
    or fact.on_demand_usd != groups.on_demand_usd
    or fact.included_value_usd != groups.included_value_usd
    or fact.request_count != groups.request_count
    or groups.inconsistent_totals > 0
