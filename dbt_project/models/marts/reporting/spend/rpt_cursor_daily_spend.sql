-- Spend per team and UTC day by charge type (as in rpt_cursor_monthly_spend), with the paid seats held and the
-- paid seats used that day; team '*' is all teams together.

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

seats as (

    select * from {{ ref('fct_cursor_seats_daily') }}

),

day_costs as (

    select
        team,
        usage_date,
        {{ charge_type_sum('seat', 'billed_cost_usd') }} as seats_usd,
        {{ charge_type_sum('on_demand', 'billed_cost_usd') }} as on_demand_usd,
        {{ charge_type_sum('included', 'list_cost_usd') }} as included_value_usd

    from costs
    group by team, usage_date

),

day_seats as (

    select
        team,
        usage_date,
        sum(case when is_paid_seat and not is_unassigned_commitment then 1 else 0 end) as paid_seats,
        sum(case when is_paid_seat and not is_unassigned_commitment and is_active then 1 else 0 end) as active_seats

    from seats
    group by team, usage_date

),

per_team as (

    select
        day_costs.team,
        day_costs.usage_date,
        day_costs.seats_usd,
        day_costs.on_demand_usd,
        day_costs.included_value_usd,
        coalesce(day_seats.paid_seats, 0) as paid_seats,
        coalesce(day_seats.active_seats, 0) as active_seats

    from day_costs
    left join day_seats
        on day_costs.team = day_seats.team
        and day_costs.usage_date = day_seats.usage_date

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        usage_date,
        sum(seats_usd) as seats_usd,
        sum(on_demand_usd) as on_demand_usd,
        sum(included_value_usd) as included_value_usd,
        sum(paid_seats) as paid_seats,
        sum(active_seats) as active_seats

    from per_team
    group by {{ by_team_and_all_teams(['usage_date']) }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_date as date) as usage_date,
        cast(seats_usd as decimal(38, 11)) as seats_usd,
        cast(on_demand_usd as decimal(38, 11)) as on_demand_usd,
        cast(included_value_usd as decimal(38, 11)) as included_value_usd,
        cast(seats_usd + on_demand_usd as decimal(38, 11)) as total_usd,
        cast(paid_seats as bigint) as paid_seats,
        cast(active_seats as bigint) as active_seats

    from rolled_up

)

select * from final
