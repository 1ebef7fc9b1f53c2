{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['team', 'usage_date'],
        on_schema_change='fail',
    )
}}

with

usage_costs as (

    select * from {{ ref('int_usage_costs_aggregated_to_days') }}

),

seat_days as (

    select * from {{ ref('int_seat_days_priced') }}

),

seat_costs as (

    select
        team,
        usage_date,
        user_email,
        'n/a' as model,
        'seat' as charge_type,
        0 as request_count,
        cast(0 as decimal(38, 9)) as request_units,
        0 as input_tokens,
        0 as output_tokens,
        0 as cache_write_tokens,
        0 as cache_read_tokens,
        0 as total_tokens,
        seat_cost_usd as billed_cost_usd,
        seat_cost_usd as list_cost_usd,
        cast(0 as decimal(38, 11)) as token_fee_usd

    from seat_days
    where is_paid_seat

),

unioned as (

    select *, false as is_estimated from usage_costs
    union all
    select *, true as is_estimated from seat_costs

),

days_loaded as (

    select * from {{ ref('int_usage_days_loaded') }}

),

final as (

    select
        cast(unioned.team as varchar) as team,
        cast(unioned.usage_date as date) as usage_date,
        cast(unioned.user_email as varchar) as user_email,
        cast(unioned.model as varchar) as model,
        cast(unioned.charge_type as varchar) as charge_type,
        cast(unioned.request_count as bigint) as request_count,
        cast(unioned.request_units as decimal(38, 9)) as request_units,
        cast(unioned.input_tokens as bigint) as input_tokens,
        cast(unioned.output_tokens as bigint) as output_tokens,
        cast(unioned.cache_write_tokens as bigint) as cache_write_tokens,
        cast(unioned.cache_read_tokens as bigint) as cache_read_tokens,
        cast(unioned.total_tokens as bigint) as total_tokens,
        cast(unioned.billed_cost_usd as decimal(38, 11)) as billed_cost_usd,
        cast(unioned.list_cost_usd as decimal(38, 11)) as list_cost_usd,
        cast(unioned.token_fee_usd as decimal(38, 11)) as token_fee_usd,
        cast(unioned.is_estimated as boolean) as is_estimated,
        cast(days_loaded.loaded_at as timestamp with time zone) as source_loaded_at

    from unioned
    inner join days_loaded
        on unioned.team = days_loaded.team
        and unioned.usage_date = days_loaded.usage_date
    {% if is_incremental() %}
    -- Rebuild exactly the days loaded since the last build: new days, the extract's lookback, backfills and
    -- re-runs of old intervals. A build with nothing newly loaded rebuilds nothing.
    where days_loaded.loaded_at > (select coalesce(max(source_loaded_at), '-infinity') from {{ this }})
    {% endif %}

)

select * from final
