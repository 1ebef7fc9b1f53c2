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
        cast(joined_at as timestamp) as joined_at_utc,
        cast(left_at as timestamp) as left_at_utc,
        cast(coalesce(spend_cents, 0) as decimal(38, 9)) as spend_cents

    from source

)

select * from renamed
