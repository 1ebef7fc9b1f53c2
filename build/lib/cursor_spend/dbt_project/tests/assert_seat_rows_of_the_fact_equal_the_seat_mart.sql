-- The seat rows of fct_cursor_costs_daily equal fct_cursor_seats_daily (paid seats) per team, day and user, in
-- presence and cost, however the marts were built. Returns the rows that differ.

with

fact_seats as (

    select team, usage_date, user_email, billed_cost_usd, list_cost_usd
    from {{ ref('fct_cursor_costs_daily') }}
    where charge_type = 'seat'

),

seat_mart as (

    select team, usage_date, user_email, seat_cost_usd
    from {{ ref('fct_cursor_seats_daily') }}
    where is_paid_seat

)

select
    coalesce(fact_seats.team, seat_mart.team) as team,
    coalesce(fact_seats.usage_date, seat_mart.usage_date) as usage_date,
    coalesce(fact_seats.user_email, seat_mart.user_email) as user_email,
    fact_seats.billed_cost_usd as fact_cost_usd,
    seat_mart.seat_cost_usd as seat_mart_cost_usd

from fact_seats
full outer join seat_mart
    on fact_seats.team = seat_mart.team
    and fact_seats.usage_date = seat_mart.usage_date
    and fact_seats.user_email = seat_mart.user_email
where fact_seats.team is null
    or seat_mart.team is null
    or fact_seats.billed_cost_usd != seat_mart.seat_cost_usd
    or fact_seats.list_cost_usd != seat_mart.seat_cost_usd
