with

source as (

    select * from {{ source('cursor', '_dlt_loads') }}

),

renamed as (

    select
        load_id,
        inserted_at

    from source

)

select * from renamed
