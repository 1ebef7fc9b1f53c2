-- One row per team, UTC day and member with a membership that day, plus the row of unassigned committed seats:
-- the estimated seat fee and the member's usage that day (computed in int_seat_days_with_usage).

with

seat_days as (

    select * from {{ ref('int_seat_days_with_usage') }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_date as date) as usage_date,
        cast(user_email as varchar) as user_email,
        cast(role as varchar) as role,
        cast(is_paid_seat as boolean) as is_paid_seat,
        cast(is_unassigned_commitment as boolean) as is_unassigned_commitment,
        cast(is_active as boolean) as is_active,
        cast(monthly_price_usd as decimal(18, 6)) as monthly_price_usd,
        cast(seat_cost_usd as decimal(38, 11)) as seat_cost_usd,
        cast(usage_cost_usd as decimal(38, 11)) as usage_cost_usd

    from seat_days

)

select * from final
