{{ config(materialized='table') }}

-- One row per team and user of the usage events (people, the placeholder for events without an email, service
-- accounts): whether they are a service account, its id and name, and their first and last UTC day with events.
-- A table: dim_cursor_users and int_costs_daily_charged_to_groups (service accounts' own group) both read it.

with

usage_events as (

    select * from {{ ref('stg_cursor__usage_events') }}

),

final as (

    select
        team,
        user_email,
        min(service_account_id) as service_account_id,
        min(service_account_name) as service_account_name,
        {{ dbt.bool_or('is_service_account') }} as is_service_account,
        min(usage_date) as first_event_date,
        max(usage_date) as last_event_date

    from usage_events
    group by team, user_email

)

select * from final
