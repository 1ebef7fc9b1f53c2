-- Agent edits per team and UTC day, as Cursor's Analytics API counts them
-- (green lines: lines added, red lines: lines deleted).

with

source as (

    select * from {{ source('cursor', 'analytics_agent_edits') }}

),

renamed as (

    select
        team,
        cast(day as date) as usage_date,
        coalesce(total_suggested_diffs, 0) as total_suggested_diffs,
        coalesce(total_accepted_diffs, 0) as total_accepted_diffs,
        coalesce(total_rejected_diffs, 0) as total_rejected_diffs,
        {{ analytics_line_counts() }}

    from source

)

select * from renamed
