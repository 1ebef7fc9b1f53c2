-- Tab completions per team, UTC day and person, as Cursor's Analytics API counts them
-- (green lines: lines added, red lines: lines deleted).

with

source as (

    select * from {{ source('cursor', 'analytics_user_tabs') }}

),

renamed as (

    select
        team,
        cast(day as date) as usage_date,
        lower(trim(email)) as user_email,
        coalesce(total_suggestions, 0) as total_suggestions,
        coalesce(total_accepts, 0) as total_accepts,
        coalesce(total_rejects, 0) as total_rejects,
        {{ analytics_line_counts() }}

    from source

)

select * from renamed
