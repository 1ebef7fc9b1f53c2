-- One row per team, user and billing-group membership (deduplicated over the cycle snapshots that list it), with
-- the UTC days it owns. A user is in one group at a time, and a day belongs to the group the user is in at the end
-- of it (the rule of the members history): a move on day D charges D to the new group. A membership ends when the
-- user leaves it (left_at, once any snapshot shows it) or joins another group, whichever comes first; one that
-- starts and ends within a day owns no day.

with

group_members as (

    select * from {{ ref('stg_cursor__billing_group_members') }}

),

names_ranked as (

    select
        team,
        group_id,
        group_name,
        row_number() over (partition by team, group_id order by cycle_start desc, group_name) as name_rank

    from group_members

),

memberships as (

    select
        team,
        user_email,
        group_id,
        joined_at_utc,
        max(left_at_utc) as left_at_utc

    from group_members
    where user_email != ''
    group by team, user_email, group_id, joined_at_utc

),

ended as (

    select
        team,
        user_email,
        group_id,
        joined_at_utc,
        left_at_utc,
        lead(joined_at_utc) over (
            partition by team, user_email order by joined_at_utc, group_id
        ) as next_joined_at_utc

    from memberships

),

bounded as (

    select
        team,
        user_email,
        group_id,
        joined_at_utc,
        case
            when next_joined_at_utc is null then left_at_utc
            when left_at_utc is null or next_joined_at_utc < left_at_utc then next_joined_at_utc
            else left_at_utc
        end as ended_at_utc

    from ended

),

final as (

    select
        bounded.team,
        bounded.user_email,
        bounded.group_id as billing_group_id,
        names_ranked.group_name as billing_group,
        bounded.joined_at_utc,
        bounded.ended_at_utc,
        cast(bounded.joined_at_utc as date) as first_day,
        cast({{ dbt.dateadd('day', -1, 'cast(bounded.ended_at_utc as date)') }} as date) as last_day

    from bounded
    inner join names_ranked
        on bounded.team = names_ranked.team
        and bounded.group_id = names_ranked.group_id
        and names_ranked.name_rank = 1
    where bounded.ended_at_utc is null
        or cast(bounded.ended_at_utc as date) > cast(bounded.joined_at_utc as date)

)

select * from final
