with

source as (

    select * from {{ source('cursor', 'usage_events') }}

),

renamed as (

    select
        event_key,
        team,
        timestamp_ms,
        {{ epoch_ms_to_utc('timestamp_ms') }} as event_at_utc,
        cast({{ epoch_ms_to_utc('timestamp_ms') }} as date) as usage_date,
        lower(trim(user_email)) as raw_user_email,
        coalesce(
            nullif(lower(trim(user_email)), ''),
            '{{ var("unknown_user_email") }}'
        ) as user_email,
        (nullif(trim(user_email), '') is null) as is_email_missing,
        service_account_id,
        service_account_name,
        (service_account_id is not null) as is_service_account,
        cloud_agent_id,
        automation_id,
        conversation_id,
        coalesce(model, 'unknown') as model,
        kind,
        case
            when kind = 'Usage-based' then 'on_demand'
            when kind like 'Included in %' then 'included'
            when kind in ('Errored, Not Charged', 'Aborted, Not Charged', 'Free') then 'not_charged'
            when kind like '%Not Charged%' then 'not_charged'
            when is_chargeable then 'on_demand'
            else 'not_charged'
        end as charge_type,
        coalesce(max_mode, false) as is_max_mode,
        cast(coalesce(requests_costs, 0) as decimal(38, 9)) as requests_costs,
        is_token_based_call,
        coalesce(is_chargeable, false) as is_chargeable,
        is_headless,
        coalesce(input_tokens, 0) as input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        coalesce(cache_write_tokens, 0) as cache_write_tokens,
        coalesce(cache_read_tokens, 0) as cache_read_tokens,
        coalesce(input_tokens, 0) + coalesce(output_tokens, 0)
        + coalesce(cache_write_tokens, 0) + coalesce(cache_read_tokens, 0) as total_tokens,
        cast(total_cents as decimal(38, 9)) as total_cents,
        cast(discount_percent_off as decimal(38, 9)) as discount_percent_off,
        cast(coalesce(charged_cents, 0) as decimal(38, 9)) as charged_cents,
        cast(coalesce(cursor_token_fee, 0) as decimal(38, 9)) as cursor_token_fee_cents,
        extracted_at,
        _dlt_load_id

    from source

)

select * from renamed
