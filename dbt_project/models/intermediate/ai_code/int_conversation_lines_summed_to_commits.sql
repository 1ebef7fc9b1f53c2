{{ config(materialized='table') }}

-- The lines each conversation wrote in each commit: the sum over the commit's range annotations of the
-- conversation's ranges, a range start-end counting end - start + 1 lines (tab ranges have no conversation). Only
-- commits the commit fact holds count. Empty when the commit-detail route (limited alpha) is off: then no usage is
-- linked. A table: the linked costs read it twice.

with

ranges as (

    select * from {{ ref('stg_cursor__ai_commit_ranges') }}

),

commits as (

    select * from {{ ref('int_ai_commits_deduplicated') }}

),

final as (

    select
        ranges.team,
        ranges.conversation_id,
        ranges.commit_hash,
        sum(ranges.line_count) as line_count

    from ranges
    inner join commits
        on ranges.team = commits.team
        and ranges.commit_hash = commits.commit_hash
    where ranges.conversation_id is not null
    group by ranges.team, ranges.conversation_id, ranges.commit_hash

)

select * from final
