-- Usage events summed to team x UTC day x user x model x charge type. Events at the same millisecond are
-- distinct events (distinct event_key) and all count.
-- billed cost = charged_cents / 100 for on_demand, 0 for included and not_charged;
-- list cost = charged_cents / 100 for every event; token fee = cursor_token_fee / 100.

with

usage_events as (

    select * from {{ ref('stg_cursor__usage_events') }}

),

aggregated as (

    select
        team,
        usage_date,
        user_email,
        model,
        charge_type,
        count(*) as request_count,
        sum(requests_costs) as request_units,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(total_tokens) as total_tokens,
        {{ charge_type_sum('on_demand', 'charged_cents') }} as billed_cents,
        sum(charged_cents) as list_cents,
        sum(cursor_token_fee_cents) as token_fee_cents

    from usage_events
    group by team, usage_date, user_email, model, charge_type

),

final as (

    select
        team,
        usage_date,
        user_email,
        model,
        charge_type,
        request_count,
        request_units,
        input_tokens,
        output_tokens,
        cache_write_tokens,
        cache_read_tokens,
        total_tokens,
        {{ cents_to_dollars('billed_cents') }} as billed_cost_usd,
        {{ cents_to_dollars('list_cents') }} as list_cost_usd,
        {{ cents_to_dollars('token_fee_cents') }} as token_fee_usd

    from aggregated

)

select * from final
