-- Cycle-to-date spend summed from the events (every charge type) matches the latest spend snapshot's overall spend
-- (overallSpendCents; spendCents is on-demand or overage only, depending on the response's shape) within
-- var('cycle_spend_tolerance_usd') (default $0.01) per user and cycle. A warning, not an error: Cursor may
-- revise recent costs after the snapshot. Shows each difference.
{{ config(severity='warn') }}

select
    team,
    cycle_start,
    user_email,
    snapshot_date,
    spend_to_snapshot_usd,
    snapshot_overall_spend_usd,
    spend_difference_usd

from {{ ref('rpt_cursor_cycle_spend') }}
where snapshot_date is not null
    and abs(spend_difference_usd) > {{ var('cycle_spend_tolerance_usd') }}
