with

source as (

    select * from {{ source('cursor', 'daily_usage') }}

),

renamed as (

    select
        team,
        cast(day as date) as usage_date,
        lower(trim(email)) as user_email,
        user_id,
        coalesce(is_active, false) as is_active,
        coalesce(total_lines_added, 0) as total_lines_added,
        coalesce(total_lines_deleted, 0) as total_lines_deleted,
        coalesce(accepted_lines_added, 0) as accepted_lines_added,
        coalesce(accepted_lines_deleted, 0) as accepted_lines_deleted,
        coalesce(total_applies, 0) as total_applies,
        coalesce(total_accepts, 0) as total_accepts,
        coalesce(total_rejects, 0) as total_rejects,
        coalesce(total_tabs_shown, 0) as total_tabs_shown,
        coalesce(total_tabs_accepted, 0) as total_tabs_accepted,
        coalesce(composer_requests, 0) as composer_requests,
        coalesce(chat_requests, 0) as chat_requests,
        coalesce(agent_requests, 0) as agent_requests,
        coalesce(cmdk_usages, 0) as cmdk_usages,
        coalesce(subscription_included_reqs, 0) as subscription_included_reqs,
        coalesce(api_key_reqs, 0) as api_key_reqs,
        coalesce(usage_based_reqs, 0) as usage_based_reqs,
        coalesce(bugbot_usages, 0) as bugbot_usages,
        most_used_model,
        apply_most_used_extension,
        tab_most_used_extension,
        client_version,
        extracted_at,
        _dlt_load_id

    from source

)

select * from renamed
