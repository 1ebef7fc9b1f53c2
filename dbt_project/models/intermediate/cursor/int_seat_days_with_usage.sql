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
        cast(seat_days.team as varchar) as team,
        cast(seat_days.usage_date as date) as usage_date,
        cast(seat_days.user_email as varchar) as user_email,
        cast(seat_days.role as varchar) as role,
        cast(seat_days.is_paid_seat as boolean) as is_paid_seat,
        cast(seat_days.is_unassigned_commitment as boolean) as is_unassigned_commitment,
        cast(seat_days.is_active or coalesce(usage_per_member_day.request_count, 0) > 0 as boolean) as is_active,
        cast(seat_days.monthly_price_usd as decimal(18, 6)) as monthly_price_usd,
        cast(seat_days.seat_cost_usd as decimal(38, 11)) as seat_cost_usd,
        cast(coalesce(usage_per_member_day.usage_cost_usd, 0) as decimal(38, 11)) as usage_cost_usd

    from seat_days
    left join usage_per_member_day
        on seat_days.team = usage_per_member_day.team
        and seat_days.usage_date = usage_per_member_day.usage_date
        and seat_days.user_email = usage_per_member_day.user_email

)

select * from final
