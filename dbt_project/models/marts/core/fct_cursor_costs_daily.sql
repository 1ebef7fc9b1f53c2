-- What Cursor costs per team, UTC day, user, model and charge type: usage rows and estimated seat rows, each charged
-- to its user's billing group that day (computed in int_costs_daily_charged_to_groups).

with

costs as (

    select * from {{ ref('int_costs_daily_charged_to_groups') }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_date as date) as usage_date,
        cast(user_email as varchar) as user_email,
        cast(billing_group_id as varchar) as billing_group_id,
        cast(billing_group as varchar) as billing_group,
        cast(model as varchar) as model,
        cast(charge_type as varchar) as charge_type,
        cast(request_count as bigint) as request_count,
        cast(request_units as decimal(38, 9)) as request_units,
        cast(input_tokens as bigint) as input_tokens,
        cast(output_tokens as bigint) as output_tokens,
        cast(cache_write_tokens as bigint) as cache_write_tokens,
        cast(cache_read_tokens as bigint) as cache_read_tokens,
        cast(total_tokens as bigint) as total_tokens,
        cast(billed_cost_usd as decimal(38, 11)) as billed_cost_usd,
        cast(list_cost_usd as decimal(38, 11)) as list_cost_usd,
        cast(token_fee_usd as decimal(38, 11)) as token_fee_usd,
        cast(is_estimated as boolean) as is_estimated,
        cast(source_loaded_at as timestamp with time zone) as source_loaded_at

    from costs

)

select * from final
