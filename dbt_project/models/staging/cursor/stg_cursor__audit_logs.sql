with

source as (

    select * from {{ source('cursor', 'audit_logs') }}

),

renamed as (

    select
        team,
        event_id,
        {{ utc_timestamp('event_at') }} as event_at_utc,
        ip_address,
        lower(trim(user_email)) as user_email,
        event_type,
        event_data

    from source

)

select * from renamed
