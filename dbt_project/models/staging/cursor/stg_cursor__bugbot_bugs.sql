-- The bugs Bugbot found, one row per bug of a review, with how each was resolved.

with

source as (

    select * from {{ source('cursor', 'bugbot_bugs') }}

),

renamed as (

    select
        team,
        request_id,
        comment_id,
        resolution_status,
        severity

    from source

)

select * from renamed
