{{ config(materialized='table') }}

-- One row per team and commit hash: the API lists an amended commit twice with one hash and the same commitTs, and
-- its first listing (the earlier createdAt) is the commit: the one Cursor ingested when it was made. AI lines are
-- tab + agent (composer) lines; lines not by AI are the API's nonAiLinesAdded, or total - AI (never below 0) when
-- it is null. A table: the commit fact and the cost attribution both read it.

with

listings as (

    select * from {{ ref('stg_cursor__ai_commits') }}

),

ranked as (

    select
        listings.*,
        row_number() over (
            partition by team, commit_hash
            order by created_at, repo_name, branch_name
        ) as listing_number,
        count(*) over (partition by team, commit_hash) as listing_count

    from listings

),

final as (

    select
        team,
        commit_hash,
        coalesce(repo_name, '(no repository)') as repository,
        branch_name,
        is_primary_branch,
        commit_source,
        user_id,
        user_email,
        committed_at,
        created_at,
        commit_date,
        total_lines_added,
        tab_lines_added,
        composer_lines_added as agent_lines_added,
        coalesce(
            non_ai_lines_added,
            case when total_lines_added > tab_lines_added + composer_lines_added
                then total_lines_added - tab_lines_added - composer_lines_added else 0 end
        ) as non_ai_lines_added,
        tab_lines_added + composer_lines_added as ai_lines_added,
        total_lines_deleted,
        listing_count

    from ranked
    where listing_number = 1

)

select * from final
