with

source as (

    select * from {{ source('cursor', 'billing_group_members') }}

),

renamed as (

    select
        team,
        cast(cycle_start as date) as cycle_start,
        group_id,
        group_name,
        user_id,
        lower(trim(email)) as user_email,
        name as user_name,
        {{ utc_timestamp('joined_at') }} as joined_at_utc,
        {{ utc_timestamp('left_at') }} as left_at_utc,
        cast(coalesce(spend_cents, 0) as decimal(38, 9)) as spend_cents

    from source

)

select * from renamed
