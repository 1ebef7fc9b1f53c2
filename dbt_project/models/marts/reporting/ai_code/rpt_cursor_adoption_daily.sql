-- Adoption beside spend per team and UTC day (team '*': all teams together): paid seats, active people (Cursor's
-- own DAU, and the members the daily usage shows active), the agent and tab lines they accepted, the AI lines they
-- committed, the usage value, on-demand and seat cost (as in rpt_cursor_daily_spend, so a month's spend here equals
-- rpt_cursor_monthly_spend's), and what the spend (seats + on-demand) costs per active person, per 1,000 accepted and
-- per 1,000 committed AI lines.

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

dau as (

    select * from {{ ref('stg_cursor__analytics_dau') }}

),

agent_edits as (

    select * from {{ ref('stg_cursor__analytics_agent_edits') }}

),

tabs as (

    select * from {{ ref('stg_cursor__analytics_tabs') }}

),

models as (

    select * from {{ ref('stg_cursor__analytics_models') }}

),

day_costs as (

    select
        team,
        usage_date,
        {{ charge_type_sum('seat', 'billed_cost_usd') }} as seats_usd,
        {{ charge_type_sum('on_demand', 'billed_cost_usd') }} as on_demand_usd,
        {{ charge_type_sum(['on_demand', 'included', 'not_charged'], 'list_cost_usd') }} as usage_value_usd

    from costs
    group by team, usage_date

),

day_seats as (

    select
        team,
        usage_date,
        sum(case when is_paid_seat and not is_unassigned_commitment then 1 else 0 end) as paid_seats

    from seats
    group by team, usage_date

),

day_activity as (

    select team, usage_date, sum(case when is_active then 1 else 0 end) as active_users
    from activity
    group by team, usage_date

),

day_commits as (

    select
        team,
        commit_date as usage_date,
        count(*) as commit_count,
        sum(ai_lines_added) as ai_lines_committed,
        sum(ai_lines_added + non_ai_lines_added) as lines_committed

    from commits
    group by team, commit_date

),

day_messages as (

    select team, usage_date, sum(messages) as ai_messages from models group by team, usage_date

),

days as (

    select team, usage_date from day_costs
    union
    select team, usage_date from dau
    union
    select team, usage_date from day_commits

),

per_team as (

    select
        days.team,
        days.usage_date,
        coalesce(day_seats.paid_seats, 0) as paid_seats,
        coalesce(dau.dau, 0) as cursor_dau,
        coalesce(day_activity.active_users, 0) as active_users,
        coalesce(agent_edits.total_green_lines_accepted, 0) as accepted_agent_lines,
        coalesce(tabs.total_green_lines_accepted, 0) as accepted_tab_lines,
        coalesce(day_messages.ai_messages, 0) as ai_messages,
        coalesce(day_commits.commit_count, 0) as commit_count,
        coalesce(day_commits.ai_lines_committed, 0) as ai_lines_committed,
        coalesce(day_commits.lines_committed, 0) as lines_committed,
        coalesce(day_costs.usage_value_usd, 0) as usage_value_usd,
        coalesce(day_costs.on_demand_usd, 0) as on_demand_usd,
        coalesce(day_costs.seats_usd, 0) as seats_usd

    from days
    left join day_costs on days.team = day_costs.team and days.usage_date = day_costs.usage_date
    left join day_seats on days.team = day_seats.team and days.usage_date = day_seats.usage_date
    left join day_activity on days.team = day_activity.team and days.usage_date = day_activity.usage_date
    left join dau on days.team = dau.team and days.usage_date = dau.usage_date
    left join agent_edits on days.team = agent_edits.team and days.usage_date = agent_edits.usage_date
    left join tabs on days.team = tabs.team and days.usage_date = tabs.usage_date
    left join day_messages on days.team = day_messages.team and days.usage_date = day_messages.usage_date
    left join day_commits on days.team = day_commits.team and days.usage_date = day_commits.usage_date

),

rolled_up as (

    select
        {{ team_or_all_teams() }} as team,
        usage_date,
        sum(paid_seats) as paid_seats,
        sum(cursor_dau) as cursor_dau,
        sum(active_users) as active_users,
        sum(accepted_agent_lines) as accepted_agent_lines,
        sum(accepted_tab_lines) as accepted_tab_lines,
        sum(ai_messages) as ai_messages,
        sum(commit_count) as commit_count,
        sum(ai_lines_committed) as ai_lines_committed,
        sum(lines_committed) as lines_committed,
        sum(usage_value_usd) as usage_value_usd,
        sum(on_demand_usd) as on_demand_usd,
        sum(seats_usd) as seats_usd,
        sum(seats_usd + on_demand_usd) as total_usd

    from per_team
    group by {{ by_team_and_all_teams(['usage_date']) }}

),

final as (

    select
        cast(team as varchar) as team,
        cast(usage_date as date) as usage_date,
        cast(paid_seats as bigint) as paid_seats,
        cast(cursor_dau as bigint) as cursor_dau,
        cast(active_users as bigint) as active_users,
        cast(accepted_agent_lines as bigint) as accepted_agent_lines,
        cast(accepted_tab_lines as bigint) as accepted_tab_lines,
        cast(accepted_agent_lines + accepted_tab_lines as bigint) as accepted_ai_lines,
        cast(ai_messages as bigint) as ai_messages,
        cast(commit_count as bigint) as commit_count,
        cast(ai_lines_committed as bigint) as ai_lines_committed,
        cast(lines_committed as bigint) as lines_committed,
        cast(usage_value_usd as decimal(38, 11)) as usage_value_usd,
        cast(on_demand_usd as decimal(38, 11)) as on_demand_usd,
        cast(seats_usd as decimal(38, 11)) as seats_usd,
        cast(total_usd as decimal(38, 11)) as total_usd,
        cast(
            case when active_users > 0 then {{ exact_divide('total_usd', 'active_users') }} end as decimal(38, 11)
        ) as cost_per_active_user_usd,
        cast(
            case
                when accepted_agent_lines + accepted_tab_lines > 0
                    then {{ exact_divide('total_usd * 1000', 'accepted_agent_lines + accepted_tab_lines') }}
            end
            as decimal(38, 11)
        ) as cost_per_1000_accepted_lines_usd,
        cast(
            case when ai_lines_committed > 0 then {{ exact_divide('total_usd * 1000', 'ai_lines_committed') }} end
            as decimal(38, 11)
        ) as cost_per_1000_committed_ai_lines_usd,
        cast(
            case when lines_committed > 0 then {{ exact_divide('ai_lines_committed', 'lines_committed') }} end
            as decimal(18, 9)
        ) as ai_share_of_committed_lines

    from rolled_up

)

select * from final
