-- rpt_cursor_adoption_daily's spend of a team-month (and of all teams, '*') equals rpt_cursor_monthly_spend's:
-- seats, on-demand and their total.

with

adoption as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        sum(seats_usd) as seats_usd,
        sum(on_demand_usd) as on_demand_usd,
        sum(total_usd) as total_usd

    from {{ ref('rpt_cursor_adoption_daily') }}
    group by team, {{ month_of('usage_date') }}

),

monthly as (

    select team, usage_month, seats_usd, on_demand_usd, total_usd from {{ ref('rpt_cursor_monthly_spend') }}

)

select
    coalesce(adoption.team, monthly.team) as team,
    coalesce(adoption.usage_month, monthly.usage_month) as usage_month,
    adoption.total_usd as adoption_total_usd,
    monthly.total_usd as monthly_total_usd

from adoption
full outer join monthly
    on adoption.team = monthly.team
    and adoption.usage_month = monthly.usage_month
where (monthly.team is null and adoption.total_usd != 0)  -- a day with only Analytics or commits spends nothing
    or adoption.team is null
    or adoption.seats_usd != monthly.seats_usd
    or adoption.on_demand_usd != monthly.on_demand_usd
    or adoption.total_usd != monthly.total_usd
