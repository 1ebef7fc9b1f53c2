-- Cycle-to-date on-demand spend summed from the events matches the latest spend snapshot within
-- var('cycle_spend_tolerance_usd') (default $0.01) per user and cycle. A warning, not an error: Cursor may
-- revise recent costs after the snapshot. Shows each difference.
{{ config(severity='warn') }}

select
    team,
    cycle_start,
    user_email,
    snapshot_date,
    on_demand_spend_to_snapshot_usd,
    snapshot_on_demand_spend_usd,
    spend_difference_usd

from {{ ref('rpt_cursor_cycle_spend') }}
where snapshot_date is not null
    and abs(spend_difference_usd) > {{ var('cycle_spend_tolerance_usd') }}
