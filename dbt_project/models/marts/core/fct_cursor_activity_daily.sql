with

daily_usage as (

    select * from {{ ref('stg_cursor__daily_usage') }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_date as date) as usage_date,
        cast(user_email as varchar) as user_email,
        cast(is_active as boolean) as is_active,
        cast(total_lines_added as bigint) as total_lines_added,
        cast(total_lines_deleted as bigint) as total_lines_deleted,
        cast(accepted_lines_added as bigint) as accepted_lines_added,
        cast(accepted_lines_deleted as bigint) as accepted_lines_deleted,
        cast(total_applies as bigint) as total_applies,
        cast(total_accepts as bigint) as total_accepts,
        cast(total_rejects as bigint) as total_rejects,
        cast(total_tabs_shown as bigint) as total_tabs_shown,
        cast(total_tabs_accepted as bigint) as total_tabs_accepted,
        cast(composer_requests as bigint) as composer_requests,
        cast(chat_requests as bigint) as chat_requests,
        cast(agent_requests as bigint) as agent_requests,
        cast(cmdk_usages as bigint) as cmdk_usages,
        cast(subscription_included_reqs as bigint) as subscription_included_reqs,
        cast(api_key_reqs as bigint) as api_key_reqs,
        cast(usage_based_reqs as bigint) as usage_based_reqs,
        cast(bugbot_usages as bigint) as bugbot_usages,
        cast(most_used_model as varchar) as most_used_model,
        cast(apply_most_used_extension as varchar) as apply_most_used_extension,
        cast(tab_most_used_extension as varchar) as tab_most_used_extension,
        cast(client_version as varchar) as client_version

    from daily_usage

)

select * from final
