-- What each commit cost: the usage value linked to it (its conversations' usage, in proportion to the lines they
-- wrote in it) and allocated to it (its author's usage no conversation links, of the days up to
-- var('repo_attribution_days') before it), with their on-demand billed counterparts (int_usage_attributed_to_commits).

with

commits as (

    select * from {{ ref('fct_cursor_ai_commits') }}

),

attributed as (

    select * from {{ ref('int_usage_attributed_to_commits') }}

),

commit_costs as (

    select
        team,
        commit_hash,
        sum(linked_usd) as linked_cost_usd,
        sum(allocated_usd) as allocated_cost_usd,
        sum(linked_billed_usd) as linked_billed_cost_usd,
        sum(allocated_billed_usd) as allocated_billed_cost_usd

    from attributed
    where commit_hash is not null
    group by team, commit_hash

),

final as (

    select
        cast(commits.team as varchar) as team,
        cast(commits.commit_hash as varchar) as commit_hash,
        cast(commits.repository as varchar) as repository,
        cast(commits.branch_name as varchar) as branch_name,
        cast(commits.user_email as varchar) as user_email,
        cast(commits.commit_date as date) as commit_date,
        cast(commits.ai_lines_added as bigint) as ai_lines_added,
        cast(coalesce(commit_costs.linked_cost_usd, 0) as decimal(38, 11)) as linked_cost_usd,
        cast(coalesce(commit_costs.allocated_cost_usd, 0) as decimal(38, 11)) as allocated_cost_usd,
        cast(
            coalesce(commit_costs.linked_cost_usd, 0) + coalesce(commit_costs.allocated_cost_usd, 0)
            as decimal(38, 11)
        ) as cost_usd,
        cast(coalesce(commit_costs.linked_billed_cost_usd, 0) as decimal(38, 11)) as linked_billed_cost_usd,
        cast(coalesce(commit_costs.allocated_billed_cost_usd, 0) as decimal(38, 11)) as allocated_billed_cost_usd,
        cast(
            coalesce(commit_costs.linked_billed_cost_usd, 0) + coalesce(commit_costs.allocated_billed_cost_usd, 0)
            as decimal(38, 11)
        ) as billed_cost_usd

    from commits
    left join commit_costs
        on commits.team = commit_costs.team
        and commits.commit_hash = commit_costs.commit_hash

)

select * from final
