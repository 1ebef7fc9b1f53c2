-- Paid seats held on each team's latest day with no activity in the last var('idle_days') days (that day
-- included), and what they cost in that calendar month: month to date, plus the remaining days at that
-- day's rate (seat_cost_this_month_usd).

with

seats as (

    select * from {{ ref('fct_cursor_seats_daily') }}

),

as_of as (

    select team, max(usage_date) as as_of_date from seats group by team

),

windowed as (

    select
        seats.team,
        seats.user_email,
        as_of.as_of_date,
        max(seats.usage_date) filter (where seats.is_active) as last_active_date,
        bool_or(seats.is_active)
            filter (where seats.usage_date > as_of.as_of_date - {{ var('idle_days') | int }}) as active_in_window,
        bool_or(seats.is_paid_seat) filter (where seats.usage_date = as_of.as_of_date) as is_paid_today,
        any_value(seats.role) filter (where seats.usage_date = as_of.as_of_date) as role,
        sum(seats.seat_cost_usd) filter (where seats.usage_date = as_of.as_of_date) as seat_cost_today_usd,
        sum(seats.seat_cost_usd)
            filter (where seats.usage_date >= date_trunc('month', as_of.as_of_date)) as seat_cost_month_to_date_usd,
        sum(seats.seat_cost_usd)
            filter (where date_trunc('month', seats.usage_date) = date_trunc('month', as_of.as_of_date))
            as seat_cost_this_month_usd

    from seats
    inner join as_of
        on seats.team = as_of.team
    where not seats.is_unassigned_commitment
    group by seats.team, seats.user_email, as_of.as_of_date

),

final as (

    select
        cast(team as varchar) as team,
        cast(user_email as varchar) as user_email,
        cast(role as varchar) as role,
        cast(as_of_date as date) as as_of_date,
        cast(last_active_date as date) as last_active_date,
        cast(
            case
                when last_active_date is null then null
                else as_of_date - last_active_date
            end as integer
        ) as days_since_last_active,
        cast(coalesce(seat_cost_month_to_date_usd, 0) as decimal(38, 11)) as seat_cost_month_to_date_usd,
        cast(
            coalesce(seat_cost_this_month_usd, 0)
            + coalesce(seat_cost_today_usd, 0) * (day(last_day(as_of_date)) - day(as_of_date))
            as decimal(38, 11)
        ) as seat_cost_this_month_usd

    from windowed
    where is_paid_today
        and not coalesce(active_in_window, false)

)

select * from final
