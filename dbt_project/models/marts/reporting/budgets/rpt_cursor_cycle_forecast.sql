-- Each user's current billing cycle, per team (the cycle of rpt_cursor_cycle_spend that holds the as-of day, to its
-- cycle_end: the day before Cursor's next cycleStart): the included allowance and how it burns down, on-demand
-- spend against the user's spend limit, and the projection to the end of the cycle.
--   included_allowance_usd  var('included_usage_usd') for the user's role (dim_cursor_users.role)
--   usage_to_date_usd       included + on-demand usage value in the cycle (rpt_cursor_cycle_spend)
--   projected_usage_usd     usage_to_date_usd + the user's usage series projected over the days left
--                           (int_forecast_rates, basis usage_value)
--   included_exhausted_on   the first day of the cycle with billed on-demand usage: the allowance was used up
--   included_runs_out_on    otherwise, the first day the projected usage reaches the allowance (then on-demand)
--   projected_on_demand_usd on-demand to date + the projected usage beyond what is left of the allowance
--   spend_limit_reached_on  the first day cumulative on-demand reached spend_limit_usd
--   spend_limit_projected_on otherwise, the first day the projected on-demand spend reaches it
-- status: insufficient_history (no projection), limit_reached, limit_projected, included_exhausted,
-- included_projected_to_run_out, on_track - the first that applies.

with

cycle_spend as (

    select * from {{ ref('rpt_cursor_cycle_spend') }}

),

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

users as (

    select * from {{ ref('dim_cursor_users') }}

),

rates as (

    select * from {{ ref('int_forecast_rates') }} where basis = 'usage_value'

),

as_of as (

    select max(usage_date) as as_of_date from costs

),

current_cycles as (

    select
        cycle_spend.team,
        cycle_spend.user_email,
        cycle_spend.cycle_start,
        cycle_spend.cycle_end,
        as_of.as_of_date,
        cycle_spend.included_spend_usd,
        cycle_spend.on_demand_spend_usd,
        cycle_spend.spend_limit_usd,
        {{ included_usage_usd('users.role') }} as included_allowance_usd

    from cycle_spend
    cross join as_of
    inner join users
        on cycle_spend.team = users.team
        and cycle_spend.user_email = users.user_email
    where cycle_spend.is_current_cycle
        and cycle_spend.cycle_start <= as_of.as_of_date
        and cycle_spend.user_email != '{{ var("unassigned_seats_email") }}'

),

on_demand_days as (

    select
        current_cycles.team,
        current_cycles.user_email,
        costs.usage_date,
        sum(sum(costs.billed_cost_usd)) over (
            partition by current_cycles.team, current_cycles.user_email order by costs.usage_date
            rows unbounded preceding
        ) as cumulative_on_demand_usd

    from current_cycles
    inner join costs
        on current_cycles.team = costs.team
        and current_cycles.user_email = costs.user_email
        and costs.usage_date between current_cycles.cycle_start and current_cycles.as_of_date
        and costs.charge_type = 'on_demand'
        and costs.billed_cost_usd > 0
    group by current_cycles.team, current_cycles.user_email, costs.usage_date

),

actual_days as (

    select
        current_cycles.team,
        current_cycles.user_email,
        min(on_demand_days.usage_date) as included_exhausted_on,
        min(
            case when on_demand_days.cumulative_on_demand_usd >= current_cycles.spend_limit_usd
                then on_demand_days.usage_date end
        ) as spend_limit_reached_on

    from current_cycles
    inner join on_demand_days
        on current_cycles.team = on_demand_days.team
        and current_cycles.user_email = on_demand_days.user_email
    group by current_cycles.team, current_cycles.user_email

),

future as (

    select
        current_cycles.team,
        current_cycles.user_email,
        {{ add_days('current_cycles.as_of_date', 'day_numbers.day_number + 1') }} as usage_date,
        sum({{ projected_day('rates', add_days('current_cycles.as_of_date', 'day_numbers.day_number + 1')) }})
            over (
                partition by current_cycles.team, current_cycles.user_email order by day_numbers.day_number
                rows unbounded preceding
            ) as projected_usage_usd

    from current_cycles
    inner join rates
        on current_cycles.team = rates.team
        and current_cycles.user_email = rates.scope_value
        and rates.has_history
    cross join {{ day_numbers(31) }} as day_numbers
    where {{ add_days('current_cycles.as_of_date', 'day_numbers.day_number + 1') }} <= current_cycles.cycle_end

),

with_allowance as (

    select
        current_cycles.*,
        actual_days.included_exhausted_on,
        actual_days.spend_limit_reached_on,
        rates.has_history,
        rates.history_days,
        rates.weekday_rate_usd,
        rates.weekend_rate_usd,
        current_cycles.included_spend_usd + current_cycles.on_demand_spend_usd as usage_to_date_usd,
        case
            when actual_days.included_exhausted_on is not null then 0
            when current_cycles.included_allowance_usd > current_cycles.included_spend_usd
                then current_cycles.included_allowance_usd - current_cycles.included_spend_usd
            else 0
        end as allowance_left_usd

    from current_cycles
    left join actual_days
        on current_cycles.team = actual_days.team
        and current_cycles.user_email = actual_days.user_email
    left join rates
        on current_cycles.team = rates.team
        and current_cycles.user_email = rates.scope_value

),

projected as (

    select
        with_allowance.team,
        with_allowance.user_email,
        max(future.projected_usage_usd) as projected_future_usd,
        min(case when future.projected_usage_usd >= with_allowance.allowance_left_usd then future.usage_date end)
            as included_runs_out_on,
        min(
            case
                when with_allowance.on_demand_spend_usd + future.projected_usage_usd - with_allowance.allowance_left_usd
                    >= with_allowance.spend_limit_usd
                    then future.usage_date
            end
        ) as spend_limit_projected_on

    from with_allowance
    inner join future
        on with_allowance.team = future.team
        and with_allowance.user_email = future.user_email
    group by with_allowance.team, with_allowance.user_email

),

final as (

    select
        with_allowance.*,
        case
            when with_allowance.has_history
                then with_allowance.usage_to_date_usd + coalesce(projected.projected_future_usd, 0)
        end as projected_usage_usd,
        case
            when with_allowance.has_history
                then with_allowance.on_demand_spend_usd + case
                    when coalesce(projected.projected_future_usd, 0) > with_allowance.allowance_left_usd
                        then coalesce(projected.projected_future_usd, 0) - with_allowance.allowance_left_usd
                    else 0
                end
        end as projected_on_demand_usd,
        case
            when with_allowance.included_exhausted_on is null and with_allowance.allowance_left_usd > 0
                then projected.included_runs_out_on
        end as included_runs_out_on,
        case
            when with_allowance.spend_limit_reached_on is null then projected.spend_limit_projected_on
        end as spend_limit_projected_on

    from with_allowance
    left join projected
        on with_allowance.team = projected.team
        and with_allowance.user_email = projected.user_email

)

select
    cast(team as varchar) as team,
    cast(user_email as varchar) as user_email,
    cast(cycle_start as date) as cycle_start,
    cast(cycle_end as date) as cycle_end,
    cast(as_of_date as date) as as_of_date,
    cast(included_allowance_usd as decimal(38, 11)) as included_allowance_usd,
    cast(included_spend_usd as decimal(38, 11)) as included_used_usd,
    cast(on_demand_spend_usd as decimal(38, 11)) as on_demand_spend_usd,
    cast(spend_limit_usd as decimal(38, 9)) as spend_limit_usd,
    cast(usage_to_date_usd as decimal(38, 11)) as usage_to_date_usd,
    cast(coalesce(history_days, 0) as integer) as history_days,
    cast(weekday_rate_usd as decimal(38, 11)) as weekday_rate_usd,
    cast(weekend_rate_usd as decimal(38, 11)) as weekend_rate_usd,
    cast(projected_usage_usd as decimal(38, 11)) as projected_usage_usd,
    cast(projected_on_demand_usd as decimal(38, 11)) as projected_on_demand_usd,
    cast(included_exhausted_on as date) as included_exhausted_on,
    cast(included_runs_out_on as date) as included_runs_out_on,
    cast(spend_limit_reached_on as date) as spend_limit_reached_on,
    cast(spend_limit_projected_on as date) as spend_limit_projected_on,
    cast(
        case
            when spend_limit_reached_on is not null then 'limit_reached'
            when not coalesce(has_history, false) then 'insufficient_history'
            when spend_limit_projected_on is not null then 'limit_projected'
            when included_exhausted_on is not null then 'included_exhausted'
            when included_runs_out_on is not null then 'included_projected_to_run_out'
            else 'on_track'
        end as varchar
    ) as status

from final
