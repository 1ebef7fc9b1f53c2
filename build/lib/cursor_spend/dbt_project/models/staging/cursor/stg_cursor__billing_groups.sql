with

source as (

    select * from {{ source('cursor', 'billing_groups') }}

),

renamed as (

    select
        team,
        cast(cycle_start as date) as cycle_start,
        group_id,
        name as group_name,
        member_count,
        cast(coalesce(spend_cents, 0) as decimal(38, 9)) as spend_cents

    from source

)

select * from renamed
