{{ config(materialized='table') }}

-- The usage value of the usage events per team, UTC day, user and conversation (conversation_id null for events
-- outside any conversation): usage_usd = sum(charged_cents) x 0.01 of every event, the list_cost_usd of the fact's
-- non-seat rows; billed_usd = the same of on_demand events, their billed_cost_usd. What the cost attribution splits.
-- A table: the linked and the allocated costs both read it.

with

usage_events as (

    select * from {{ ref('stg_cursor__usage_events') }}

),

aggregated as (

    select
        team,
        usage_date,
        user_email,
        conversation_id,
        sum(charged_cents) as usage_cents,
        {{ charge_type_sum('on_demand', 'charged_cents') }} as billed_cents

    from usage_events
    group by team, usage_date, user_email, conversation_id

),

final as (

    select
        team,
        usage_date,
        user_email,
        conversation_id,
        {{ cents_to_dollars('usage_cents') }} as usage_usd,
        {{ cents_to_dollars('billed_cents') }} as billed_usd

    from aggregated

)

select * from final
