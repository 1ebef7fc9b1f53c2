-- One row per team and distinct commit the AI Code Tracking API lists (an amended commit, listed twice, once:
-- int_ai_commits_deduplicated), with its author, repository ('(no repository)' when the API gives none), branch,
-- source, UTC day and its lines added by tab, by agent and not by AI.

with

commits as (

    select * from {{ ref('int_ai_commits_deduplicated') }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(commit_hash as varchar) as commit_hash,
        cast(repository as varchar) as repository,
        cast(branch_name as varchar) as branch_name,
        cast(is_primary_branch as boolean) as is_primary_branch,
        cast(commit_source as varchar) as commit_source,
        cast(user_email as varchar) as user_email,
        cast(user_id as varchar) as user_id,
        cast(committed_at as timestamp with time zone) as committed_at,
        cast(created_at as timestamp with time zone) as created_at,
        cast(commit_date as date) as commit_date,
        cast(total_lines_added as bigint) as total_lines_added,
        cast(tab_lines_added as bigint) as tab_lines_added,
        cast(agent_lines_added as bigint) as agent_lines_added,
        cast(non_ai_lines_added as bigint) as non_ai_lines_added,
        cast(ai_lines_added as bigint) as ai_lines_added,
        cast(
            case
                when ai_lines_added + non_ai_lines_added > 0
                    then {{ exact_divide('ai_lines_added', 'ai_lines_added + non_ai_lines_added') }}
            end
            as decimal(18, 9)
        ) as ai_share,
        cast(total_lines_deleted as bigint) as total_lines_deleted,
        cast(listing_count as bigint) as listing_count

    from commits

)

select * from final
