with

source as (

    select * from {{ source('cursor', 'members') }}

),

renamed as (

    select
        team,
        user_id,
        lower(trim(email)) as user_email,
        name as user_name,
        role,
        role in ('owner', 'member') as is_paid_role,
        coalesce(is_removed, false) as is_removed,
        {{ utc_timestamp('_dlt_valid_from') }} as valid_from_utc,
        {{ utc_timestamp('_dlt_valid_to') }} as valid_to_utc,
        (_dlt_valid_to is null) as is_current

    from source

)

select * from renamed
