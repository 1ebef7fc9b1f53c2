-- The estimated seat fee of each member-day, plus one row per team-day for committed seats nobody holds.
-- daily seat cost = the cost through that day less the cost through the day before, the cost through day d of an
-- n-day month being monthly price x d / n rounded half-up to 9 decimals (macros/pricing.sql: a whole month sums to
-- the monthly price exactly), where the monthly price is the most specific seeds/seat_prices.csv row (team before
-- '*', role before '*') with the latest valid_from on or before the day, else var('seat_price_usd'). Unpaid seats
-- cost 0.

with

member_days as (

    select * from {{ ref('int_member_days_joined') }}

),

seat_prices as (

    select * from {{ ref('seat_prices') }}

),

priced as (

    select
        member_days.team,
        member_days.usage_date,
        member_days.user_email,
        member_days.role,
        member_days.is_paid_seat,
        member_days.is_active,
        coalesce(
            cast(seat_prices.monthly_price_usd as decimal(18, 6)),
            {{ seat_price_usd() }}
        ) as monthly_price_usd,
        row_number() over (
            partition by member_days.team, member_days.usage_date, member_days.user_email
            order by
                (seat_prices.team = member_days.team) desc nulls last,
                (seat_prices.seat_type = member_days.role) desc nulls last,
                seat_prices.valid_from desc nulls last
        ) as price_rank

    from member_days
    left join seat_prices
        on seat_prices.team in (member_days.team, '*')
        and seat_prices.seat_type in (member_days.role, '*')
        and seat_prices.valid_from <= member_days.usage_date

),

member_seats as (

    select
        team,
        usage_date,
        user_email,
        role,
        is_paid_seat,
        is_active,
        false as is_unassigned_commitment,
        monthly_price_usd,
        case
            when is_paid_seat then {{ seat_day_cost('monthly_price_usd', 'usage_date') }}
            else cast(0 as decimal(38, 11))
        end as seat_cost_usd

    from priced
    where price_rank = 1

),

team_days as (

    select
        team,
        usage_date,
        count(case when is_paid_seat then 1 end) as paid_seats

    from member_seats
    group by team, usage_date

),

team_day_prices as (

    select
        team_days.team,
        team_days.usage_date,
        team_days.paid_seats,
        coalesce(
            cast(seat_prices.monthly_price_usd as decimal(18, 6)),
            {{ seat_price_usd() }}
        ) as monthly_price_usd,
        row_number() over (
            partition by team_days.team, team_days.usage_date
            order by (seat_prices.team = team_days.team) desc nulls last, seat_prices.valid_from desc nulls last
        ) as price_rank

    from team_days
    left join seat_prices
        on seat_prices.team in (team_days.team, '*')
        and seat_prices.seat_type = '*'
        and seat_prices.valid_from <= team_days.usage_date

),

unassigned_seats as (

    select
        team,
        usage_date,
        '{{ var("unassigned_seats_email") }}' as user_email,
        'committed' as role,
        true as is_paid_seat,
        false as is_active,
        true as is_unassigned_commitment,
        monthly_price_usd,
        cast(
            ({{ var('committed_seats') }} - paid_seats) * {{ seat_day_cost('monthly_price_usd', 'usage_date') }}
            as decimal(38, 11)
        ) as seat_cost_usd

    from team_day_prices
    where price_rank = 1
        and paid_seats < {{ var('committed_seats') }}

),

final as (

    select * from member_seats
    union all
    select * from unassigned_seats

)

select * from final
