-- One row per listing of a commit by the AI Code Tracking API: an amended commit is listed twice with one hash
-- (int_ai_commits_deduplicated keeps its first listing). A commit's day is the UTC day of commitTs, or of createdAt
-- when commitTs is null.

with

source as (

    select * from {{ source('cursor', 'ai_commits') }}

),

renamed as (

    select
        team,
        lower(trim(commit_hash)) as commit_hash,
        user_id,
        lower(trim(user_email)) as user_email,
        repo_name,
        branch_name,
        is_primary_branch,
        commit_source,
        coalesce(total_lines_added, 0) as total_lines_added,
        coalesce(tab_lines_added, 0) as tab_lines_added,
        coalesce(composer_lines_added, 0) as composer_lines_added,
        non_ai_lines_added,
        coalesce(total_lines_deleted, 0) as total_lines_deleted,
        cast(commit_ts as timestamp with time zone) as committed_at,
        cast(created_at as timestamp with time zone) as created_at,
        cast({{ utc_timestamp('coalesce(commit_ts, created_at)') }} as date) as commit_date,
        _dlt_load_id

    from source

)

select * from renamed
