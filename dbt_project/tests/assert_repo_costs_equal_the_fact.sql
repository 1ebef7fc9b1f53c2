-- rpt_cursor_repo_costs_monthly: a team-month's repository rows and its '(unattributed)' row add up exactly to
-- fct_cursor_costs_daily's non-seat rows of that month, in list_cost_usd (cost_usd) and billed_cost_usd, for every
-- team and for all teams together ('*'); and every month of the fact has its '(unattributed)' row.

with

fact as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        sum(case when charge_type != 'seat' then list_cost_usd else 0 end) as usage_usd,
        sum(case when charge_type != 'seat' then billed_cost_usd else 0 end) as billed_usd

    from {{ ref('fct_cursor_costs_daily') }}
    group by grouping sets ((team, {{ month_of('usage_date') }}), ({{ month_of('usage_date') }}))

),

months as (

    select coalesce(team, '*') as team, usage_month, usage_usd, billed_usd from fact

),

repositories as (

    select
        team,
        usage_month,
        sum(cost_usd) as usage_usd,
        sum(billed_cost_usd) as billed_usd,
        sum(case when is_unattributed then 1 else 0 end) as unattributed_rows

    from {{ ref('rpt_cursor_repo_costs_monthly') }}
    group by team, usage_month

)

select
    coalesce(months.team, repositories.team) as team,
    coalesce(months.usage_month, repositories.usage_month) as usage_month,
    months.usage_usd as fact_usage_usd,
    repositories.usage_usd as repositories_usage_usd

from months
full outer join repositories
    on months.team = repositories.team
    and months.usage_month = repositories.usage_month
where months.team is null
    or repositories.team is null
    or months.usage_usd != repositories.usage_usd
    or months.billed_usd != repositories.billed_usd
    or repositories.unattributed_rows != 1
