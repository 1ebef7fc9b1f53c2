-- One row per team, UTC day and member with a membership that day, plus the row of unassigned committed seats:
-- the estimated seat fee and the member's usage that day (computed in int_seat_days_with_usage).

with

seat_days as (

    select * from {{ ref('int_seat_days_with_usage') }}

),

final as (

    select
        team,
        usage_date,
        user_email,
        role,
        is_paid_seat,
        is_unassigned_commitment,
        is_active,
        monthly_price_usd,
        seat_cost_usd,
        usage_cost_usd

    from seat_days

)

select * from final
