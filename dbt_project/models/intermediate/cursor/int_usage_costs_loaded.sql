{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['team', 'usage_date'],
        on_schema_change='fail',
    )
}}

-- The usage rows of fct_cursor_costs_daily, kept incrementally: each build rebuilds exactly the (team, day)s whose
-- raw data was loaded since its last build (new days, the extract's lookback, backfills, re-runs of old intervals).
-- Seat rows are not kept here: their price may change with any build (var seat_price_usd, seeds/seat_prices.csv,
-- committed_seats), so int_costs_daily_charged_to_groups takes them fresh from the seat-days every build.

with

usage_costs as (

    select * from {{ ref('int_usage_costs_aggregated_to_days') }}

),

days_loaded as (

    select * from {{ ref('int_usage_days_loaded') }}

),

final as (

    select
        usage_costs.team,
        usage_costs.usage_date,
        usage_costs.user_email,
        usage_costs.model,
        usage_costs.charge_type,
        usage_costs.request_count,
        usage_costs.request_units,
        usage_costs.input_tokens,
        usage_costs.output_tokens,
        usage_costs.cache_write_tokens,
        usage_costs.cache_read_tokens,
        usage_costs.total_tokens,
        usage_costs.billed_cost_usd,
        usage_costs.list_cost_usd,
        usage_costs.token_fee_usd,
        days_loaded.loaded_at as source_loaded_at

    from usage_costs
    inner join days_loaded
        on usage_costs.team = days_loaded.team
        and usage_costs.usage_date = days_loaded.usage_date
    {% if is_incremental() %}
    where days_loaded.loaded_at > (select coalesce(max(source_loaded_at), '-infinity') from {{ this }})
    {% endif %}

)

select * from final
