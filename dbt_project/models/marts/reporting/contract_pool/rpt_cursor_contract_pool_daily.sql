-- The organization's contract pool per UTC day and team (Organization API key): the pool's limit, used and
-- remaining by the end of the day, its contract window, and each team's use, share of the pool and budget
-- (int_contract_pool_days_drawn: anchored on the newest pooled-usage snapshot).

with

drawn as (

    select * from {{ ref('int_contract_pool_days_drawn') }}

),

final as (

    select
        organization_id,
        usage_date,
        team,
        team_id,
        contract_start,
        contract_end,
        limit_usd,
        pool_used_usd,
        pool_remaining_usd,
        pool_charged_usd,
        team_used_usd,
        team_charged_usd,
        case when pool_used_usd > 0 then {{ exact_divide('team_used_usd * 100', 'pool_used_usd') }} end
            as team_share_pct,
        team_budget_usd,
        case when team_budget_usd is not null then team_budget_usd - team_used_usd end as team_budget_remaining_usd

    from drawn

)

select
    cast(organization_id as varchar) as organization_id,
    cast(usage_date as date) as usage_date,
    cast(team as varchar) as team,
    cast(team_id as bigint) as team_id,
    cast(contract_start as date) as contract_start,
    cast(contract_end as date) as contract_end,
    cast(limit_usd as decimal(38, 11)) as limit_usd,
    cast(pool_used_usd as decimal(38, 11)) as pool_used_usd,
    cast(pool_remaining_usd as decimal(38, 11)) as pool_remaining_usd,
    cast(pool_charged_usd as decimal(38, 11)) as pool_charged_usd,
    cast(team_used_usd as decimal(38, 11)) as team_used_usd,
    cast(team_charged_usd as decimal(38, 11)) as team_charged_usd,
    cast(team_share_pct as decimal(38, 11)) as team_share_pct,
    cast(team_budget_usd as decimal(38, 11)) as team_budget_usd,
    cast(team_budget_remaining_usd as decimal(38, 11)) as team_budget_remaining_usd

from final
