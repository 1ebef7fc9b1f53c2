-- What Cursor costs per team, UTC day, user, model and charge type: usage rows and estimated seat rows, each charged
-- to its user's billing group that day (computed in int_costs_daily_charged_to_groups).

with

costs as (

    select * from {{ ref('int_costs_daily_charged_to_groups') }}

),

final as (

    select
        team,
        usage_date,
        user_email,
        billing_group_id,
        billing_group,
        model,
        charge_type,
        request_count,
        request_units,
        input_tokens,
        output_tokens,
        cache_write_tokens,
        cache_read_tokens,
        total_tokens,
        billed_cost_usd,
        list_cost_usd,
        token_fee_usd,
        is_estimated,
        source_loaded_at

    from costs

)

select * from final
