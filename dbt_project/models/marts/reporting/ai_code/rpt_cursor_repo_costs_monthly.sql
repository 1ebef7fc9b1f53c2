-- What each repository's AI code cost per team and UTC month of the usage: linked, allocated and total usage value
-- and their on-demand billed counterparts, the commits made in the month and their AI lines, the cost per 1,000
-- AI lines; and one '(unattributed)' row per team and month with the usage that reached no commit, so that a
-- team-month's rows add up exactly to fct_cursor_costs_daily's non-seat rows of that month. Team '*' is all teams
-- together. Seats are not bought per repository: their cost stays per person (rpt_cursor_user_value_monthly).

with

attributed as (

    select * from {{ ref('int_usage_attributed_to_commits') }}

),

commits as (

    select * from {{ ref('fct_cursor_ai_commits') }}

),

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

repository_costs as (

    select
        attributed.team,
        {{ month_of('attributed.usage_date') }} as usage_month,
        coalesce(commits.repository, '(unattributed)') as repository,
        sum(attributed.linked_usd) as linked_cost_usd,
        sum(attributed.allocated_usd) as allocated_cost_usd,
        sum(attributed.unattributed_usd) as unattributed_cost_usd,
        sum(attributed.linked_billed_usd) as linked_billed_cost_usd,
        sum(attributed.allocated_billed_usd) as allocated_billed_cost_usd,
        sum(attributed.unattributed_billed_usd) as unattributed_billed_cost_usd

    from attributed
    left join commits
        on attributed.team = commits.team
        and attributed.commit_hash = commits.commit_hash
    group by attributed.team, {{ month_of('attributed.usage_date') }}, coalesce(commits.repository, '(unattributed)')

),

repository_commits as (

    select
        team,
        {{ month_of('commit_date') }} as usage_month,
        repository,
        count(*) as commit_count,
        sum(ai_lines_added) as ai_lines_added

    from commits
    group by team, {{ month_of('commit_date') }}, repository

),

team_months as (

    select distinct team, {{ month_of('usage_date') }} as usage_month from costs

),

keys as (

    select team, usage_month, repository from repository_costs
    union
    select team, usage_month, repository from repository_commits
    union
    select team, usage_month, '(unattributed)' as repository from team_months

),

per_team as (

    select
        keys.team,
        keys.usage_month,
        keys.repository,
        coalesce(repository_costs.linked_cost_usd, 0) as linked_cost_usd,
        coalesce(repository_costs.allocated_cost_usd, 0) as allocated_cost_usd,
        coalesce(repository_costs.unattributed_cost_usd, 0) as unattributed_cost_usd,
        coalesce(repository_costs.linked_billed_cost_usd, 0) as linked_billed_cost_usd,
        coalesce(repository_costs.allocated_billed_cost_usd, 0) as allocated_billed_cost_usd,
        coalesce(repository_costs.unattributed_billed_cost_usd, 0) as unattributed_billed_cost_usd,
        coalesce(repository_commits.commit_count, 0) as commit_count,
        coalesce(repository_commits.ai_lines_added, 0) as ai_lines_added

    from keys
    left join repository_costs
        on keys.team = repository_costs.team
        and keys.usage_month = repository_costs.usage_month
        and keys.repository = repository_costs.repository
    left join repository_commits
        on keys.team = repository_commits.team
        and keys.usage_month = repository_commits.usage_month
        and keys.repository = repository_commits.repository

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        usage_month,
        repository,
        sum(linked_cost_usd) as linked_cost_usd,
        sum(allocated_cost_usd) as allocated_cost_usd,
        sum(unattributed_cost_usd) as unattributed_cost_usd,
        sum(linked_billed_cost_usd) as linked_billed_cost_usd,
        sum(allocated_billed_cost_usd) as allocated_billed_cost_usd,
        sum(unattributed_billed_cost_usd) as unattributed_billed_cost_usd,
        sum(commit_count) as commit_count,
        sum(ai_lines_added) as ai_lines_added

    from per_team
    group by {{ by_team_and_all_teams(['usage_month', 'repository']) }}

),

totals as (

    select
        rolled_up.*,
        linked_cost_usd + allocated_cost_usd + unattributed_cost_usd as cost_usd,
        linked_billed_cost_usd + allocated_billed_cost_usd + unattributed_billed_cost_usd as billed_cost_usd

    from rolled_up

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_month as date) as usage_month,
        cast(repository as varchar) as repository,
        cast(repository = '(unattributed)' as boolean) as is_unattributed,
        cast(linked_cost_usd as decimal(38, 11)) as linked_cost_usd,
        cast(allocated_cost_usd as decimal(38, 11)) as allocated_cost_usd,
        cast(unattributed_cost_usd as decimal(38, 11)) as unattributed_cost_usd,
        cast(cost_usd as decimal(38, 11)) as cost_usd,
        cast(linked_billed_cost_usd as decimal(38, 11)) as linked_billed_cost_usd,
        cast(allocated_billed_cost_usd as decimal(38, 11)) as allocated_billed_cost_usd,
        cast(unattributed_billed_cost_usd as decimal(38, 11)) as unattributed_billed_cost_usd,
        cast(billed_cost_usd as decimal(38, 11)) as billed_cost_usd,
        cast(commit_count as bigint) as commit_count,
        cast(ai_lines_added as bigint) as ai_lines_added,
        cast(
            case when ai_lines_added > 0 then {{ exact_divide('cost_usd * 1000', 'ai_lines_added') }} end
            as decimal(38, 11)
        ) as cost_per_1000_ai_lines_usd

    from totals

)

select * from final
