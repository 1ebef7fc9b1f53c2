-- Per team, user, calendar month (UTC) and model: requests and spend, and the user's monthly share of
-- spend on premium models (var('premium_models')) and in Max mode.

with

usage_events as (

    select * from {{ ref('stg_cursor__usage_events') }}

),

per_model as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        user_email,
        model,
        model in ({{ "'" ~ var('premium_models') | join("', '") ~ "'" }}) as is_premium_model,
        count(*) as request_count,
        count(case when is_max_mode then 1 end) as max_mode_request_count,
        sum(charged_cents) as list_cents,
        {{ charge_type_sum('on_demand', 'charged_cents') }} as billed_cents,
        sum(case when is_max_mode then charged_cents else 0 end) as max_mode_cents

    from usage_events
    group by team, {{ month_of('usage_date') }}, user_email, model

),

with_user_totals as (

    select
        *,
        sum(list_cents) over (partition by team, usage_month, user_email) as user_list_cents,
        sum(case when is_premium_model then list_cents else 0 end)
            over (partition by team, usage_month, user_email) as user_premium_cents,
        sum(max_mode_cents) over (partition by team, usage_month, user_email) as user_max_mode_cents,
        sum(request_count) over (partition by team, usage_month, user_email) as user_request_count

    from per_model

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_month as date) as usage_month,
        cast(user_email as varchar) as user_email,
        cast(model as varchar) as model,
        cast(is_premium_model as boolean) as is_premium_model,
        cast(request_count as bigint) as request_count,
        cast(max_mode_request_count as bigint) as max_mode_request_count,
        {{ cents_to_dollars('list_cents') }} as list_cost_usd,
        {{ cents_to_dollars('billed_cents') }} as billed_cost_usd,
        {{ cents_to_dollars('max_mode_cents') }} as max_mode_cost_usd,
        {{ share('request_count', 'user_request_count') }} as share_of_user_requests,
        {{ share('list_cents', 'user_list_cents') }} as share_of_user_spend,
        {{ share('user_premium_cents', 'user_list_cents') }} as user_premium_spend_share,
        {{ share('user_max_mode_cents', 'user_list_cents') }} as user_max_mode_spend_share

    from with_user_totals

)

select * from final
