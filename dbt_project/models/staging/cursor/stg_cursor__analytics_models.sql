-- Messages and people per team, UTC day and model, as Cursor's Analytics API counts them.

with

source as (

    select * from {{ source('cursor', 'analytics_models') }}

),

renamed as (

    select
        team,
        cast(day as date) as usage_date,
        model,
        coalesce(messages, 0) as messages,
        coalesce(users, 0) as users

    from source

)

select * from renamed
