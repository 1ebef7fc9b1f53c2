{{ config(materialized='table') }}

-- The drawdown of each organization's contract pool: per organization, UTC day and team of the pool, what the team
-- and the pool had used by the end of the day. Anchored on the newest pooled-usage snapshot, taken as the pool as of
-- the newest loaded day (the as-of day): a day's use is the snapshot's less what the loaded usage events charged
-- (list cost: every charged cent, included and on-demand, as the pool counts them) after that day. Days from the
-- contract start (or the first loaded day, when the contract started earlier) to the as-of day. The limit, the
-- contract window and the teams' budgets are the snapshot's. A table: the pool's marts and its spend series
-- (int_spend_series_days, scope contract_pool) read it.

with

snapshots as (

    select * from {{ ref('stg_cursor__pooled_usage') }}

),

costs as (

    select * from {{ ref('int_costs_daily_charged_to_groups') }}

),

days_loaded as (

    select distinct usage_date from costs

),

as_of as (

    select max(usage_date) as as_of_date, min(usage_date) as first_loaded_date from days_loaded

),

newest as (

    select organization_id, max(snapshot_at) as snapshot_at
    from snapshots
    group by organization_id

),

pool_teams as (

    select snapshots.*
    from snapshots
    inner join newest
        on snapshots.organization_id = newest.organization_id
        and snapshots.snapshot_at = newest.snapshot_at

),

team_days as (

    select team, usage_date, sum(list_cost_usd) as charged_usd
    from costs
    where charge_type != 'seat'
    group by team, usage_date

),

calendar as (

    select pool_teams.*, days_loaded.usage_date, as_of.as_of_date
    from pool_teams
    cross join as_of
    inner join days_loaded
        on days_loaded.usage_date >= pool_teams.contract_start
        and days_loaded.usage_date >= as_of.first_loaded_date

),

drawn as (

    select
        calendar.organization_id,
        calendar.usage_date,
        calendar.team,
        calendar.team_id,
        calendar.as_of_date,
        calendar.limit_usd,
        calendar.contract_start,
        calendar.contract_end,
        calendar.team_budget_usd,
        coalesce(charged.charged_usd, 0) as team_charged_usd,
        calendar.team_used_usd - coalesce(sum(later.charged_usd), 0) as team_used_usd

    from calendar
    left join team_days as charged
        on calendar.team = charged.team
        and calendar.usage_date = charged.usage_date
    left join team_days as later
        on calendar.team = later.team
        and later.usage_date > calendar.usage_date
        and later.usage_date <= calendar.as_of_date
    group by calendar.organization_id, calendar.usage_date, calendar.team, calendar.team_id, calendar.as_of_date,
        calendar.limit_usd, calendar.contract_start, calendar.contract_end, calendar.team_budget_usd,
        charged.charged_usd, calendar.team_used_usd

),

pooled as (

    select
        *,
        sum(team_used_usd) over (partition by organization_id, usage_date) as pool_used_usd,
        sum(team_charged_usd) over (partition by organization_id, usage_date) as pool_charged_usd

    from drawn

)

select
    cast(organization_id as varchar) as organization_id,
    cast(usage_date as date) as usage_date,
    cast(team as varchar) as team,
    cast(team_id as bigint) as team_id,
    cast(as_of_date as date) as as_of_date,
    cast(contract_start as date) as contract_start,
    cast(contract_end as date) as contract_end,
    cast(limit_usd as decimal(38, 11)) as limit_usd,
    cast(pool_used_usd as decimal(38, 11)) as pool_used_usd,
    cast(case when limit_usd > pool_used_usd then limit_usd - pool_used_usd else 0 end as decimal(38, 11))
        as pool_remaining_usd,
    cast(pool_charged_usd as decimal(38, 11)) as pool_charged_usd,
    cast(team_used_usd as decimal(38, 11)) as team_used_usd,
    cast(team_charged_usd as decimal(38, 11)) as team_charged_usd,
    cast(team_budget_usd as decimal(38, 11)) as team_budget_usd

from pooled
