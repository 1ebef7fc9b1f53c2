{{ config(materialized='table') }}

-- The rows of fct_cursor_seats_daily: every member-day's estimated seat fee (int_seat_days_priced) with the member's
-- usage that day. A seat-day is active when the daily usage says so or the member has any usage event that day;
-- usage_cost_usd is the member's billed (on-demand) usage that day. A table: the seat mart, the idle seats
-- (int_seat_months_held) and the cost rows (int_costs_daily_charged_to_groups) all read it.

with

seat_days as (

    select * from {{ ref('int_seat_days_priced') }}

),

usage_costs as (

    select * from {{ ref('int_usage_costs_loaded') }}

),

usage_per_member_day as (

    select
        team,
        usage_date,
        user_email,
        sum(billed_cost_usd) as usage_cost_usd,
        sum(request_count) as request_count

    from usage_costs
    group by team, usage_date, user_email

),

final as (

    select
        seat_days.team,
        seat_days.usage_date,
        seat_days.user_email,
        seat_days.role,
        seat_days.is_paid_seat,
        seat_days.is_unassigned_commitment,
        seat_days.is_active or coalesce(usage_per_member_day.request_count, 0) > 0 as is_active,
        seat_days.monthly_price_usd,
        seat_days.seat_cost_usd,
        coalesce(usage_per_member_day.usage_cost_usd, 0) as usage_cost_usd

    from seat_days
    left join usage_per_member_day
        on seat_days.team = usage_per_member_day.team
        and seat_days.usage_date = usage_per_member_day.usage_date
        and seat_days.user_email = usage_per_member_day.user_email

)

select * from final
