-- What each person cost and what they did with it, per team, UTC month and user: the paid seat-days and their cost
-- (seats stay per person: they are not bought per repository), the usage value and on-demand cost, how much of the
-- usage reached commits (linked, allocated) or none (unattributed), the days they were active, the agent and tab
-- lines they accepted and the AI lines they committed; pays_without_ai_commits marks who holds a paid seat in the
-- month and committed no AI line.

with

costs as (

    select * from {{ ref('fct_cursor_costs_daily') }}

),

seats as (

    select * from {{ ref('fct_cursor_seats_daily') }}

),

activity as (

    select * from {{ ref('fct_cursor_activity_daily') }}

),

commits as (

    select * from {{ ref('fct_cursor_ai_commits') }}

),

attributed as (

    select * from {{ ref('int_usage_attributed_to_commits') }}

),

user_agent_edits as (

    select * from {{ ref('stg_cursor__analytics_user_agent_edits') }}

),

user_tabs as (

    select * from {{ ref('stg_cursor__analytics_user_tabs') }}

),

month_costs as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        user_email,
        {{ charge_type_sum('seat', 'billed_cost_usd') }} as seat_cost_usd,
        {{ charge_type_sum(['on_demand', 'included', 'not_charged'], 'list_cost_usd') }} as usage_value_usd,
        {{ charge_type_sum('on_demand', 'billed_cost_usd') }} as on_demand_usd

    from costs
    group by team, {{ month_of('usage_date') }}, user_email

),

month_seats as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        user_email,
        sum(case when is_paid_seat and not is_unassigned_commitment then 1 else 0 end) as paid_seat_days

    from seats
    group by team, {{ month_of('usage_date') }}, user_email

),

month_activity as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        user_email,
        sum(case when is_active then 1 else 0 end) as active_days

    from activity
    group by team, {{ month_of('usage_date') }}, user_email

),

month_attributed as (

    select
        team,
        {{ month_of('usage_date') }} as usage_month,
        user_email,
        sum(linked_usd) as linked_cost_usd,
        sum(allocated_usd) as allocated_cost_usd,
        sum(unattributed_usd) as unattributed_cost_usd

    from attributed
    group by team, {{ month_of('usage_date') }}, user_email

),

month_commits as (

    select
        team,
        {{ month_of('commit_date') }} as usage_month,
        user_email,
        count(*) as commit_count,
        sum(ai_lines_added) as ai_lines_committed

    from commits
    group by team, {{ month_of('commit_date') }}, user_email

),

month_accepted as (

    select team, usage_month, user_email, sum(agent_lines) as accepted_agent_lines, sum(tab_lines) as accepted_tab_lines
    from (
        select team, {{ month_of('usage_date') }} as usage_month, user_email,
            total_green_lines_accepted as agent_lines, 0 as tab_lines
        from user_agent_edits
        union all
        select team, {{ month_of('usage_date') }} as usage_month, user_email,
            0 as agent_lines, total_green_lines_accepted as tab_lines
        from user_tabs
    ) as accepted
    group by team, usage_month, user_email

),

users as (

    select team, usage_month, user_email from month_costs
    union
    select team, usage_month, user_email from month_commits
    union
    select team, usage_month, user_email from month_accepted

),

final as (

    select
        cast(users.team as varchar) as team,
        cast(users.usage_month as date) as usage_month,
        cast(users.user_email as varchar) as user_email,
        cast(coalesce(month_seats.paid_seat_days, 0) as bigint) as paid_seat_days,
        cast(coalesce(month_costs.seat_cost_usd, 0) as decimal(38, 11)) as seat_cost_usd,
        cast(coalesce(month_costs.usage_value_usd, 0) as decimal(38, 11)) as usage_value_usd,
        cast(coalesce(month_costs.on_demand_usd, 0) as decimal(38, 11)) as on_demand_usd,
        cast(
            coalesce(month_costs.seat_cost_usd, 0) + coalesce(month_costs.on_demand_usd, 0) as decimal(38, 11)
        ) as total_cost_usd,
        cast(coalesce(month_attributed.linked_cost_usd, 0) as decimal(38, 11)) as linked_cost_usd,
        cast(coalesce(month_attributed.allocated_cost_usd, 0) as decimal(38, 11)) as allocated_cost_usd,
        cast(coalesce(month_attributed.unattributed_cost_usd, 0) as decimal(38, 11)) as unattributed_cost_usd,
        cast(coalesce(month_activity.active_days, 0) as bigint) as active_days,
        cast(coalesce(month_accepted.accepted_agent_lines, 0) as bigint) as accepted_agent_lines,
        cast(coalesce(month_accepted.accepted_tab_lines, 0) as bigint) as accepted_tab_lines,
        cast(coalesce(month_commits.commit_count, 0) as bigint) as commit_count,
        cast(coalesce(month_commits.ai_lines_committed, 0) as bigint) as ai_lines_committed,
        cast(
            coalesce(month_seats.paid_seat_days, 0) > 0 and coalesce(month_commits.ai_lines_committed, 0) = 0
            as boolean
        ) as pays_without_ai_commits

    from users
    left join month_costs
        on users.team = month_costs.team
        and users.usage_month = month_costs.usage_month
        and users.user_email = month_costs.user_email
    left join month_seats
        on users.team = month_seats.team
        and users.usage_month = month_seats.usage_month
        and users.user_email = month_seats.user_email
    left join month_activity
        on users.team = month_activity.team
        and users.usage_month = month_activity.usage_month
        and users.user_email = month_activity.user_email
    left join month_attributed
        on users.team = month_attributed.team
        and users.usage_month = month_attributed.usage_month
        and users.user_email = month_attributed.user_email
    left join month_commits
        on users.team = month_commits.team
        and users.usage_month = month_commits.usage_month
        and users.user_email = month_commits.user_email
    left join month_accepted
        on users.team = month_accepted.team
        and users.usage_month = month_accepted.usage_month
        and users.user_email = month_accepted.user_email

)

select * from final
