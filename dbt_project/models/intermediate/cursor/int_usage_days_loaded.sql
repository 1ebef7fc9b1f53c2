{{ config(materialized='table') }}

-- One row per team and UTC day with raw usage data (events or daily usage rows), with the time its newest raw
-- row was loaded: dlt's _dlt_loads.inserted_at, or now for a load not committed yet. The incremental fact
-- rebuilds exactly the days loaded since its last build.

with

loads as (

    select * from {{ ref('stg_cursor__loads') }}

),

raw_days as (

    select team, usage_date, _dlt_load_id from {{ ref('stg_cursor__usage_events') }}
    union all
    select team, usage_date, _dlt_load_id from {{ ref('stg_cursor__daily_usage') }}

),

final as (

    select
        raw_days.team,
        raw_days.usage_date,
        max(coalesce(loads.inserted_at, {{ dbt.current_timestamp() }})) as loaded_at

    from raw_days
    left join loads
        on raw_days._dlt_load_id = loads.load_id
    group by raw_days.team, raw_days.usage_date

)

select * from final
