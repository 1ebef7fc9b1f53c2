-- The month's answer per team and UTC calendar month, and for all teams together (team '*'):
--   seats_usd           estimated seat cost (seat rows' billed cost)
--   on_demand_usd       billed on-demand usage (on_demand rows' billed cost)
--   total_usd           = seats_usd + on_demand_usd, what the company pays for the month so far
--   included_value_usd  the list value of the usage the plan's allowance covered (included rows' list cost)
-- and the paid, active and idle seats held on the month's as-of day (int_seat_months_held).

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

seat_months as (

    select * from {{ ref('int_seat_months_held') }}

),

month_costs as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        max(usage_date) as as_of_date,
        {{ charge_type_sum('seat', 'billed_cost_usd') }} as seats_usd,
        {{ charge_type_sum('on_demand', 'billed_cost_usd') }} as on_demand_usd,
        {{ charge_type_sum('included', 'list_cost_usd') }} as included_value_usd,
        count(distinct case when charge_type != 'seat' then user_email end) as users_with_usage,
        sum(request_count) as request_count

    from costs
    group by team, {{ month_of('usage_date') }}

),

month_seats as (

    select
        team,
        usage_month,
        count(*) as paid_seats,
        sum(case when is_idle then 1 else 0 end) as idle_seats,
        sum(case when is_idle then seat_cost_this_month_usd else 0 end) as idle_seat_cost_usd

    from seat_months
    group by team, usage_month

),

per_team as (

    select
        month_costs.*,
        coalesce(month_seats.paid_seats, 0) as paid_seats,
        coalesce(month_seats.idle_seats, 0) as idle_seats,
        coalesce(month_seats.idle_seat_cost_usd, 0) as idle_seat_cost_usd

    from month_costs
    left join month_seats
        on month_costs.team = month_seats.team
        and month_costs.usage_month = month_seats.usage_month

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        usage_month,
        max(as_of_date) as as_of_date,
        sum(seats_usd) as seats_usd,
        sum(on_demand_usd) as on_demand_usd,
        sum(included_value_usd) as included_value_usd,
        sum(users_with_usage) as users_with_usage,
        sum(request_count) as request_count,
        sum(paid_seats) as paid_seats,
        sum(idle_seats) as idle_seats,
        sum(idle_seat_cost_usd) as idle_seat_cost_usd

    from per_team
    group by {{ by_team_and_all_teams(['usage_month']) }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_month as date) as usage_month,
        cast(as_of_date as date) as as_of_date,
        cast(usage_month = (select max(usage_month) from month_costs) as boolean) as is_current_month,
        cast(seats_usd as decimal(38, 11)) as seats_usd,
        cast(on_demand_usd as decimal(38, 11)) as on_demand_usd,
        cast(seats_usd + on_demand_usd as decimal(38, 11)) as total_usd,
        cast(included_value_usd as decimal(38, 11)) as included_value_usd,
        cast(paid_seats as bigint) as paid_seats,
        cast(paid_seats - idle_seats as bigint) as active_seats,
        cast(idle_seats as bigint) as idle_seats,
        cast(idle_seat_cost_usd as decimal(38, 11)) as idle_seat_cost_usd,
        cast(users_with_usage as bigint) as users_with_usage,
        cast(request_count as bigint) as request_count

    from rolled_up

)

select * from final
