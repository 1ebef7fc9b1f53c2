-- The paid seats held on each team's as-of day of each month (its last day with data), with their activity in the
-- var('idle_days') days up to it and their seat cost in that month. The one definition of an idle seat: a paid seat
-- held on the as-of day with no activity in that window. rpt_cursor_idle_seats and rpt_cursor_monthly_spend read it.

with

seats as (

    select * from {{ ref('int_seat_days_with_usage') }} where not is_unassigned_commitment

),

as_of_days as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        max(usage_date) as as_of_date

    from seats
    group by team, {{ month_of('usage_date') }}

),

held as (

    select
        as_of_days.team,
        as_of_days.usage_month,
        as_of_days.as_of_date,
        seats.user_email,
        seats.role,
        seats.monthly_price_usd as as_of_monthly_price_usd

    from as_of_days
    inner join seats
        on as_of_days.team = seats.team
        and as_of_days.as_of_date = seats.usage_date
    where seats.is_paid_seat

),

history as (

    select
        held.team,
        held.usage_month,
        held.user_email,
        max(case when seats.is_active then seats.usage_date end) as last_active_date,
        max(
            case
                when seats.is_active
                    and seats.usage_date > {{ dbt.dateadd('day', -(var('idle_days') | int), 'held.as_of_date') }}
                    then 1
                else 0
            end
        ) as active_in_window,
        sum(
            case when seats.usage_date >= held.usage_month then seats.seat_cost_usd else 0 end
        ) as seat_cost_month_to_date_usd

    from held
    inner join seats
        on held.team = seats.team
        and held.user_email = seats.user_email
        and seats.usage_date <= held.as_of_date
    group by held.team, held.usage_month, held.user_email

),

final as (

    select
        held.team,
        held.usage_month,
        held.as_of_date,
        held.user_email,
        held.role,
        history.last_active_date,
        history.active_in_window = 0 as is_idle,
        cast(history.seat_cost_month_to_date_usd as decimal(38, 11)) as seat_cost_month_to_date_usd,
        -- month to date, plus the rest of the month at the as-of day's price: the month's cost at that price less
        -- its cost through the as-of day (macros/pricing.sql), so a seat held all month at one price costs it exactly
        cast(
            history.seat_cost_month_to_date_usd + held.as_of_monthly_price_usd
            - {{ seat_cost_through('held.as_of_monthly_price_usd', 'held.as_of_date') }}
            as decimal(38, 11)
        ) as seat_cost_this_month_usd

    from held
    inner join history
        on held.team = history.team
        and held.usage_month = history.usage_month
        and held.user_email = history.user_email

)

select * from final
