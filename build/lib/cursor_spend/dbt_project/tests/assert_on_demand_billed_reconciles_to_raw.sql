-- The on-demand billed cost of the fact table equals the chargeable (is_chargeable) charged_cents x 0.01 of the raw events,
-- per team and UTC day (exactly: both sides are DECIMAL). Returns the days that differ.

with

facts as (

    select team, usage_date, sum(billed_cost_usd) as billed_cost_usd
    from {{ ref('fct_cursor_costs_daily') }}
    where charge_type = 'on_demand'
    group by team, usage_date

),

raw_events as (

    select
        team,
        cast({{ epoch_ms_to_utc('timestamp_ms') }} as date) as usage_date,
        sum(charged_cents) * 0.01 as billed_cost_usd
    from {{ source('cursor', 'usage_events') }}
    where is_chargeable
    group by team, cast({{ epoch_ms_to_utc('timestamp_ms') }} as date)

)

select
    coalesce(facts.team, raw_events.team) as team,
    coalesce(facts.usage_date, raw_events.usage_date) as usage_date,
    facts.billed_cost_usd as fact_billed_usd,
    raw_events.billed_cost_usd as raw_billed_usd

from facts
full outer join raw_events
    on facts.team = raw_events.team
    and facts.usage_date = raw_events.usage_date
where coalesce(facts.billed_cost_usd, 0) != coalesce(raw_events.billed_cost_usd, 0)
