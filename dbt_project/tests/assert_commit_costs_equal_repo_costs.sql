-- rpt_cursor_commit_costs and rpt_cursor_repo_costs_monthly describe the same attribution: per team and
-- repository, the commits' linked and allocated costs (usage and billed) equal the repository rows' over all months.

with

commits as (

    select
        team,
        repository,
        sum(linked_cost_usd) as linked_usd,
        sum(allocated_cost_usd) as allocated_usd,
        sum(billed_cost_usd) as billed_usd

    from {{ ref('rpt_cursor_commit_costs') }}
    group by team, repository

),

repositories as (

    select
        team,
        repository,
        sum(linked_cost_usd) as linked_usd,
        sum(allocated_cost_usd) as allocated_usd,
        sum(linked_billed_cost_usd + allocated_billed_cost_usd) as billed_usd

    from {{ ref('rpt_cursor_repo_costs_monthly') }}
    where team != '*' and not is_unattributed
    group by team, repository

)

select
    coalesce(commits.team, repositories.team) as team,
    coalesce(commits.repository, repositories.repository) as repository,
    commits.linked_usd + commits.allocated_usd as commit_costs_usd,
    repositories.linked_usd + repositories.allocated_usd as repository_costs_usd

from commits
full outer join repositories
    on commits.team = repositories.team
    and commits.repository = repositories.repository
where commits.team is null
    or repositories.team is null
    or commits.linked_usd != repositories.linked_usd
    or commits.allocated_usd != repositories.allocated_usd
    or commits.billed_usd != repositories.billed_usd
