-- One row per AI-written line range of a commit (the limited-alpha commit-detail route), with the conversation that
-- wrote it (null for tab completions); a range start-end holds end - start + 1 lines.

with

source as (

    select * from {{ source('cursor', 'ai_commit_ranges') }}

),

renamed as (

    select
        team,
        lower(trim(commit_hash)) as commit_hash,
        file_index,
        group_index,
        range_index,
        file_path,
        conversation_id,
        model,
        operation_type,
        start_line,
        end_line,
        end_line - start_line + 1 as line_count

    from source

)

select * from renamed
