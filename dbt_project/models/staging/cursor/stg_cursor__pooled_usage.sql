with

source as (

    select * from {{ source('cursor', 'pooled_usage') }}

),

renamed as (

    select
        organization_id,
        cast(snapshot_date as date) as snapshot_date,
        snapshot_at,
        cast(team_id as bigint) as team_id,
        coalesce(team, cast(team_id as varchar)) as team,
        {{ cents_to_dollars('limit_cents') }} as limit_usd,
        {{ cents_to_dollars('used_cents') }} as pool_used_usd,
        {{ cents_to_dollars('remaining_cents') }} as pool_remaining_usd,
        cast(contract_start as date) as contract_start,
        cast(contract_end as date) as contract_end,
        {{ cents_to_dollars('team_used_cents') }} as team_used_usd,
        case when budget_limit_cents is not null then {{ cents_to_dollars('budget_limit_cents') }} end
            as team_budget_usd

    from source

)

select * from renamed
