{% set day_end = dbt.dateadd('day', 1, 'daily_usage.usage_date') %}
-- One row per team, day and member with a membership that day. Membership days are the rows of the paginated
-- daily usage (the API returns a row for every member with a membership that day, active or not); the role
-- comes from the members history version that was valid at the end of that day, or from the member's
-- earliest version for days before our first roster load. A member with no roster history at all (removed
-- before the first load) keeps role 'unknown' and counts as a paid seat: the daily row proves the seat.

with

daily_usage as (

    select * from {{ ref('stg_cursor__daily_usage') }}

),

members as (

    select * from {{ ref('stg_cursor__members') }}

),

versions_ranked as (

    select
        daily_usage.team,
        daily_usage.usage_date,
        daily_usage.user_email,
        daily_usage.is_active,
        members.user_id,
        members.user_name,
        members.role,
        -- the latest version valid by the end of the day, else the earliest one
        row_number() over (
            partition by daily_usage.team, daily_usage.usage_date, daily_usage.user_email
            order by
                case when members.valid_from_utc < {{ day_end }} then 0 else 1 end,
                case when members.valid_from_utc < {{ day_end }} then members.valid_from_utc end desc,
                members.valid_from_utc asc
        ) as version_rank

    from daily_usage
    left join members
        on daily_usage.team = members.team
        and daily_usage.user_email = members.user_email

),

final as (

    select
        team,
        usage_date,
        user_email,
        user_id,
        user_name,
        coalesce(role, 'unknown') as role,
        coalesce(role, 'unknown') not in ('free-owner', 'service-account') as is_paid_seat,
        is_active

    from versions_ranked
    where version_rank = 1

)

select * from final
