-- Cursor's own count of a team's active people per UTC day (and of those on the CLI, cloud agents and Bugbot).

with

source as (

    select * from {{ source('cursor', 'analytics_dau') }}

),

renamed as (

    select
        team,
        cast(day as date) as usage_date,
        coalesce(dau, 0) as dau,
        coalesce(cli_dau, 0) as cli_dau,
        coalesce(cloud_agent_dau, 0) as cloud_agent_dau,
        coalesce(bugbot_dau, 0) as bugbot_dau

    from source

)

select * from renamed
