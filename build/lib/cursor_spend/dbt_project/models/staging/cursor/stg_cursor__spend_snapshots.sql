with

source as (

    select * from {{ source('cursor', 'spend_snapshots') }}

),

renamed as (

    select
        team,
        cast(cycle_start as date) as cycle_start,
        cast(snapshot_date as date) as snapshot_date,
        snapshot_at,
        user_id,
        lower(trim(email)) as user_email,
        name as user_name,
        role,
        cast(coalesce(spend_cents, 0) as decimal(38, 9)) as spend_cents,
        cast(coalesce(overall_spend_cents, 0) as decimal(38, 9)) as overall_spend_cents,
        fast_premium_requests,
        cast(hard_limit_override_dollars as decimal(38, 9)) as hard_limit_override_usd,
        cast(monthly_limit_dollars as decimal(38, 9)) as monthly_limit_usd,
        cast(effective_per_user_limit_dollars as decimal(38, 9)) as effective_limit_usd

    from source

)

select * from renamed
