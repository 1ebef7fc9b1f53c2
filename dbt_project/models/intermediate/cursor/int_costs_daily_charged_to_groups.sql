{{ config(materialized='table') }}

-- The rows of fct_cursor_costs_daily: what Cursor costs per team, UTC day, user, model and charge type. The usage
-- rows (kept incrementally in int_usage_costs_loaded) and the seat rows of the paid seat-days
-- (int_seat_days_with_usage, the rows of fct_cursor_seats_daily), priced by this very build: however the fact was
-- built (cursor-spend, Airflow, a plain dbt build with other vars), its seat rows equal the seat mart.
-- Every row is charged to the billing group its user was in that day (int_billing_group_memberships); users in no
-- group, placeholders and unassigned committed seats to the API's own 'Unassigned' group; service accounts, which
-- hold no seat and belong to no group, to 'Service accounts'. A table: the fact and the spend series of budgets,
-- forecasts and anomalies (int_spend_series_days) read it.

with

usage_costs as (

    select * from {{ ref('int_usage_costs_loaded') }}

),

seats as (

    select * from {{ ref('int_seat_days_with_usage') }}

),

days_loaded as (

    select * from {{ ref('int_usage_days_loaded') }}

),

memberships as (

    select * from {{ ref('int_billing_group_memberships') }}

),

event_users as (

    select * from {{ ref('int_usage_events_aggregated_to_users') }}

),

seat_costs as (

    select
        seats.team,
        seats.usage_date,
        seats.user_email,
        'n/a' as model,
        'seat' as charge_type,
        0 as request_count,
        0 as request_units,
        0 as input_tokens,
        0 as output_tokens,
        0 as cache_write_tokens,
        0 as cache_read_tokens,
        0 as total_tokens,
        seats.seat_cost_usd as billed_cost_usd,
        seats.seat_cost_usd as list_cost_usd,
        0 as token_fee_usd,
        true as is_estimated,
        days_loaded.loaded_at as source_loaded_at

    from seats
    inner join days_loaded
        on seats.team = days_loaded.team
        and seats.usage_date = days_loaded.usage_date
    where seats.is_paid_seat

),

unioned as (

    select
        team, usage_date, user_email, model, charge_type, request_count, request_units, input_tokens,
        output_tokens, cache_write_tokens, cache_read_tokens, total_tokens, billed_cost_usd, list_cost_usd,
        token_fee_usd, false as is_estimated, source_loaded_at
    from usage_costs
    union all
    select * from seat_costs

),

final as (

    select
        unioned.*,
        case
            when event_users.is_service_account then 'service_accounts'
            else coalesce(memberships.billing_group_id, 'group_unassigned')
        end as billing_group_id,
        case
            when event_users.is_service_account then 'Service accounts'
            else coalesce(memberships.billing_group, 'Unassigned')
        end as billing_group

    from unioned
    left join event_users
        on unioned.team = event_users.team
        and unioned.user_email = event_users.user_email
    left join memberships
        on unioned.team = memberships.team
        and unioned.user_email = memberships.user_email
        and unioned.usage_date >= memberships.first_day
        and (memberships.last_day is null or unioned.usage_date <= memberships.last_day)

)

select * from final
