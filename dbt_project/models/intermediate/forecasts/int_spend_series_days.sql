-- Every daily spend series that budgets, forecasts and anomalies follow, one row per series and UTC day with
-- spend: (team, scope, scope_value, basis).
--   budget series (team '*'): scope team (a team label, or '*' for all teams together), billing_group (the day's
--     group of the user, fct_cursor_costs_daily.billing_group) or user (an email, over every team); basis 'all' =
--     billed_cost_usd (the estimated seat cost + on-demand, what the company pays), 'on_demand' = billed on-demand.
--   usage series (team = the user's team, scope user, basis 'usage_value'): the list value of the user's included
--     and on-demand usage, what draws on their included allowance and then on their spend limit.
--   pool series (team '*', scope contract_pool, scope_value an organization id, basis 'charged'): what the
--     organization's teams charged to its contract pool each day (int_contract_pool_days_drawn).
-- Placeholders (unassigned committed seats) have no user series. A table: budgets, forecasts and anomalies all
-- read it.

{{ config(materialized='table') }}

with

costs as (

    select * from {{ ref('int_costs_daily_charged_to_groups') }}

),

user_days as (

    select
        team,
        usage_date,
        user_email,
        billing_group,
        sum(billed_cost_usd) as all_usd,
        {{ charge_type_sum('on_demand', 'billed_cost_usd') }} as on_demand_usd,
        {{ charge_type_sum(['included', 'on_demand'], 'list_cost_usd') }} as usage_value_usd

    from costs
    group by team, usage_date, user_email, billing_group

),

scoped as (

    select '*' as team, 'team' as scope, team as scope_value, usage_date, all_usd, on_demand_usd
    from user_days
    union all
    select '*' as team, 'team' as scope, '*' as scope_value, usage_date, all_usd, on_demand_usd
    from user_days
    union all
    select '*' as team, 'billing_group' as scope, billing_group as scope_value, usage_date, all_usd, on_demand_usd
    from user_days
    union all
    select '*' as team, 'user' as scope, user_email as scope_value, usage_date, all_usd, on_demand_usd
    from user_days
    where user_email != '{{ var("unassigned_seats_email") }}'

),

budget_series as (

    select team, scope, scope_value, 'all' as basis, usage_date, sum(all_usd) as spend_usd
    from scoped
    group by team, scope, scope_value, usage_date
    union all
    select team, scope, scope_value, 'on_demand' as basis, usage_date, sum(on_demand_usd) as spend_usd
    from scoped
    group by team, scope, scope_value, usage_date

),

pool_series as (

    select '*' as team, 'contract_pool' as scope, organization_id as scope_value, 'charged' as basis, usage_date,
        max(pool_charged_usd) as spend_usd
    from {{ ref('int_contract_pool_days_drawn') }}
    group by organization_id, usage_date

),

usage_series as (

    select team, 'user' as scope, user_email as scope_value, 'usage_value' as basis, usage_date,
        sum(usage_value_usd) as spend_usd
    from user_days
    where user_email != '{{ var("unassigned_seats_email") }}'
    group by team, user_email, usage_date

)

select team, scope, scope_value, basis, usage_date, cast(spend_usd as decimal(38, 11)) as spend_usd
from budget_series
union all
select team, scope, scope_value, basis, usage_date, cast(spend_usd as decimal(38, 11)) as spend_usd
from usage_series
union all
select team, scope, scope_value, basis, usage_date, cast(spend_usd as decimal(38, 11)) as spend_usd
from pool_series
