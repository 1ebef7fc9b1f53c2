-- Per team, user and billing cycle: included and on-demand spend summed from the usage events (their daily sums,
-- int_usage_costs_loaded: list cost = charged cents / 100 per charge type), beside the latest spend snapshot of
-- that cycle and the difference (events - snapshot). An event belongs to the cycle with the latest snapshot
-- cycle_start on or before its UTC day (the calendar month when no snapshot exists): each day falls in the range
-- from its cycle's start to the next cycle's start.
-- The events are compared with the snapshot's overallSpendCents (every event's chargedCents in the cycle), never
-- with spendCents: Cursor's live responses changed spendCents from the on-demand spend to the overage above the
-- plan's included amount (reference §5.2), so only the overall figure means the same in every shape.
-- cycle_end: the day before the next cycle's start; for the newest cycle, the day before Cursor's next
-- cycleStart (macros/calendar.sql next_cycle_start: the anchor day in the next month, its last day when shorter),
-- the anchor being the cycle's start day, or the previous cycle's when this one starts on the last day of a
-- shorter month (2026-10-31, 2026-11-30 -> anchor 31: the cycle from 2026-11-30 ends 2026-12-30).

with

usage_costs as (

    select * from {{ ref('int_usage_costs_loaded') }}

),

spend_snapshots as (

    select * from {{ ref('stg_cursor__spend_snapshots') }}

),

daily_usage as (

    select
        team,
        user_email,
        usage_date,
        charge_type,
        sum(list_cost_usd) as charged_usd

    from usage_costs
    group by team, user_email, usage_date, charge_type

),

cycles as (

    select
        team,
        cycle_start,
        lead(cycle_start) over (partition by team order by cycle_start) as next_cycle_start

    from (select distinct team, cycle_start from spend_snapshots) as cycle_starts

),

days_in_cycles as (

    select
        daily_usage.team,
        daily_usage.user_email,
        daily_usage.usage_date,
        daily_usage.charge_type,
        daily_usage.charged_usd,
        coalesce(cycles.cycle_start, {{ month_of('daily_usage.usage_date') }}) as cycle_start

    from daily_usage
    left join cycles
        on daily_usage.team = cycles.team
        and daily_usage.usage_date >= cycles.cycle_start
        and (daily_usage.usage_date < cycles.next_cycle_start or cycles.next_cycle_start is null)

),

snapshots_ranked as (

    select
        *,
        row_number() over (
            partition by team, cycle_start, user_email order by snapshot_date desc, snapshot_at desc
        ) as snapshot_rank

    from spend_snapshots

),

latest_snapshots as (

    select * from snapshots_ranked where snapshot_rank = 1

),

usage_spend as (

    select
        days_in_cycles.team,
        days_in_cycles.cycle_start,
        days_in_cycles.user_email,
        {{ charge_type_sum('included', 'days_in_cycles.charged_usd', 'days_in_cycles.charge_type') }} as included_usd,
        {{ charge_type_sum('on_demand', 'days_in_cycles.charged_usd', 'days_in_cycles.charge_type') }} as on_demand_usd,
        sum(
            case
                when days_in_cycles.usage_date <= latest_snapshots.snapshot_date then days_in_cycles.charged_usd
                else 0
            end
        ) as spend_to_snapshot_usd

    from days_in_cycles
    left join latest_snapshots
        on days_in_cycles.team = latest_snapshots.team
        and days_in_cycles.cycle_start = latest_snapshots.cycle_start
        and days_in_cycles.user_email = latest_snapshots.user_email
    group by days_in_cycles.team, days_in_cycles.cycle_start, days_in_cycles.user_email

),

joined as (

    select
        coalesce(usage_spend.team, latest_snapshots.team) as team,
        coalesce(usage_spend.cycle_start, latest_snapshots.cycle_start) as cycle_start,
        coalesce(usage_spend.user_email, latest_snapshots.user_email) as user_email,
        usage_spend.included_usd,
        usage_spend.on_demand_usd,
        usage_spend.spend_to_snapshot_usd,
        latest_snapshots.snapshot_date,
        latest_snapshots.overall_spend_cents as snapshot_overall_spend_cents,
        latest_snapshots.effective_limit_usd

    from usage_spend
    full outer join latest_snapshots
        on usage_spend.team = latest_snapshots.team
        and usage_spend.cycle_start = latest_snapshots.cycle_start
        and usage_spend.user_email = latest_snapshots.user_email

),

cycle_neighbours as (

    select
        team,
        cycle_start,
        lag(cycle_start) over (partition by team order by cycle_start) as previous_cycle_start,
        lead(cycle_start) over (partition by team order by cycle_start) as next_cycle_start

    from (select distinct team, cycle_start from joined) as cycle_starts

),

cycle_anchors as (

    select
        team,
        cycle_start,
        next_cycle_start,
        case
            when {{ day_of_month('cycle_start') }} = {{ days_in_month('cycle_start') }}
                and {{ day_of_month('previous_cycle_start') }} > {{ day_of_month('cycle_start') }}
                then {{ day_of_month('previous_cycle_start') }}
            else {{ day_of_month('cycle_start') }}
        end as anchor_day

    from cycle_neighbours

),

cycle_ends as (

    select
        team,
        cycle_start,
        coalesce(
            {{ add_days('next_cycle_start', -1) }},
            {{ add_days(next_cycle_start('cycle_start', 'anchor_day'), -1) }}
        ) as cycle_end

    from cycle_anchors

),

final as (

    select
        cast(joined.team as varchar) as team,
        cast(joined.cycle_start as date) as cycle_start,
        cast(cycle_ends.cycle_end as date) as cycle_end,
        cast(user_email as varchar) as user_email,
        cast(coalesce(included_usd, 0) as decimal(38, 11)) as included_spend_usd,
        cast(coalesce(on_demand_usd, 0) as decimal(38, 11)) as on_demand_spend_usd,
        cast(effective_limit_usd as decimal(38, 9)) as spend_limit_usd,
        cast(
            effective_limit_usd - coalesce(on_demand_usd, 0) as decimal(38, 11)
        ) as spend_limit_remaining_usd,
        cast(snapshot_date as date) as snapshot_date,
        cast(coalesce(spend_to_snapshot_usd, 0) as decimal(38, 11)) as spend_to_snapshot_usd,
        cast(snapshot_overall_spend_cents * 0.01 as decimal(38, 11)) as snapshot_overall_spend_usd,
        cast(
            case
                when snapshot_date is not null
                    then coalesce(spend_to_snapshot_usd, 0) - snapshot_overall_spend_cents * 0.01
            end as decimal(38, 11)
        ) as spend_difference_usd,
        cast(
            joined.cycle_start = max(joined.cycle_start) over (partition by joined.team) as boolean
        ) as is_current_cycle

    from joined
    inner join cycle_ends
        on joined.team = cycle_ends.team
        and joined.cycle_start = cycle_ends.cycle_start

)

select * from final
