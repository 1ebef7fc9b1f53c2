-- Per team and day, the on-demand and included requests of fct_cursor_costs_daily (people, not service accounts,
-- which have no daily rows) equal the daily counters usage_based_reqs and subscription_included_reqs of
-- fct_cursor_activity_daily, on the days both cover. Per day and team, not per user: events of removed members
-- lose their email (they count under the placeholder user) while their daily rows keep it.
-- A warning, not an error: Cursor documents no exact relationship between its daily counters and its events, so
-- a real team's numbers may differ slightly; on the simulator they agree exactly (tests/dbt checks it passes).
{{ config(severity='warn') }}

with

service_accounts as (

    select team, user_email from {{ ref('dim_cursor_users') }} where is_service_account

),

fact as (

    select
        costs.team,
        costs.usage_date,
        sum(case when costs.charge_type = 'on_demand' then costs.request_count else 0 end) as on_demand_requests,
        sum(case when costs.charge_type = 'included' then costs.request_count else 0 end) as included_requests

    from {{ ref('fct_cursor_costs_daily') }} as costs
    left join service_accounts
        on costs.team = service_accounts.team
        and costs.user_email = service_accounts.user_email
    where service_accounts.team is null
    group by costs.team, costs.usage_date

),

activity as (

    select
        team,
        usage_date,
        sum(usage_based_reqs) as on_demand_requests,
        sum(subscription_included_reqs) as included_requests

    from {{ ref('fct_cursor_activity_daily') }}
    group by team, usage_date

)

select
    activity.team,
    activity.usage_date,
    coalesce(fact.on_demand_requests, 0) as fact_on_demand,
    activity.on_demand_requests as activity_on_demand,
    coalesce(fact.included_requests, 0) as fact_included,
    activity.included_requests as activity_included

from activity
left join fact
    on activity.team = fact.team
    and activity.usage_date = fact.usage_date
where coalesce(fact.on_demand_requests, 0) != activity.on_demand_requests
    or coalesce(fact.included_requests, 0) != activity.included_requests
