-- Paid seats held on each team's latest day with no activity in the last var('idle_days') days (that day
-- included), and what they cost in that calendar month (int_seat_months_held defines an idle seat).

with

seat_months as (

    select * from {{ ref('int_seat_months_held') }}

),

latest as (

    select team, max(as_of_date) as as_of_date from seat_months group by team

),

final as (

    select
        cast(seat_months.team as varchar) as team,
        cast(seat_months.user_email as varchar) as user_email,
        cast(seat_months.role as varchar) as role,
        cast(seat_months.as_of_date as date) as as_of_date,
        cast(seat_months.last_active_date as date) as last_active_date,
        cast(
            {{ dbt.datediff('seat_months.last_active_date', 'seat_months.as_of_date', 'day') }} as integer
        ) as days_since_last_active,
        cast(seat_months.seat_cost_month_to_date_usd as decimal(38, 11)) as seat_cost_month_to_date_usd,
        cast(seat_months.seat_cost_this_month_usd as decimal(38, 11)) as seat_cost_this_month_usd

    from seat_months
    inner join latest
        on seat_months.team = latest.team
        and seat_months.as_of_date = latest.as_of_date
    where seat_months.is_idle

)

select * from final
