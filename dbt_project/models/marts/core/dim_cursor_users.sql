-- One row per team and user: everyone seen in the roster history, the daily usage or the usage events
-- (including the placeholder for events without an email and service accounts).

with

members as (

    select * from {{ ref('stg_cursor__members') }}

),

member_days as (

    select * from {{ ref('int_member_days_joined') }}

),

event_users as (

    select * from {{ ref('int_usage_events_aggregated_to_users') }}

),

memberships as (

    select * from {{ ref('int_billing_group_memberships') }}

),

versions_ranked as (

    select
        team,
        user_email,
        user_id,
        user_name,
        role,
        is_paid_role,
        is_removed,
        is_current,
        min(valid_from_utc) over (partition by team, user_email) as first_version_at,
        row_number() over (partition by team, user_email order by valid_from_utc desc) as version_rank

    from members

),

latest_versions as (

    select * from versions_ranked where version_rank = 1

),

membership as (

    select
        team,
        user_email,
        min(usage_date) as first_member_date,
        max(usage_date) as last_member_date,
        min(case when is_active then usage_date end) as first_active_date,
        max(case when is_active then usage_date end) as last_active_date

    from member_days
    group by team, user_email

),

current_groups as (

    select team, user_email, billing_group as group_name from memberships where last_day is null

),

all_users as (

    select team, user_email from latest_versions
    union
    select team, user_email from membership
    union
    select team, user_email from event_users

),

final as (

    select
        cast(all_users.team as varchar) as team,
        cast(all_users.user_email as varchar) as user_email,
        cast(coalesce(latest_versions.user_name, event_users.service_account_name) as varchar) as user_name,
        cast(latest_versions.user_id as varchar) as user_id,
        cast(
            case
                when event_users.is_service_account then 'service-account'
                else coalesce(latest_versions.role, 'unknown')
            end as varchar
        ) as role,
        cast(
            coalesce(latest_versions.is_paid_role, membership.team is not null)
            and not coalesce(event_users.is_service_account, false)
            as boolean
        ) as is_paid,
        cast(coalesce(event_users.is_service_account, false) as boolean) as is_service_account,
        cast(event_users.service_account_id as varchar) as service_account_id,
        cast(
            {{ least_ignoring_nulls(['event_users.first_event_date', 'membership.first_active_date']) }} as date
        ) as first_seen,
        cast(
            {{ greatest_ignoring_nulls(['event_users.last_event_date', 'membership.last_active_date']) }} as date
        ) as last_seen,
        cast(
            {{ least_ignoring_nulls(['membership.first_member_date', 'cast(latest_versions.first_version_at as date)']) }}
            as date
        ) as joined_date,
        cast(
            case
                when latest_versions.team is not null
                    and (not latest_versions.is_current or latest_versions.is_removed)
                    then coalesce(membership.last_member_date, cast(latest_versions.first_version_at as date))
            end as date
        ) as left_date,
        cast(current_groups.group_name as varchar) as current_billing_group

    from all_users
    left join latest_versions
        on all_users.team = latest_versions.team
        and all_users.user_email = latest_versions.user_email
    left join membership
        on all_users.team = membership.team
        and all_users.user_email = membership.user_email
    left join event_users
        on all_users.team = event_users.team
        and all_users.user_email = event_users.user_email
    left join current_groups
        on all_users.team = current_groups.team
        and all_users.user_email = current_groups.user_email

)

select * from final
