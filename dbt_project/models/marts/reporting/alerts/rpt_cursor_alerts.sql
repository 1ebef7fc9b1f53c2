-- One row per alert that should exist now, each with a stable alert_key (delivery sends each key once per
-- channel: cursor-spend alerts, the transform DAG's send_alerts task) and a one-line message:
--   budget_threshold_crossed     the current period's cumulative spend reached a threshold of a budget
--   budget_projected_to_exceed   the current period's projection reaches the budget (not yet exceeded)
--   spend_limit_reached          a user's on-demand spend reached their spend limit in the current cycle
--   spend_limit_projected        ... is projected to reach it before the cycle ends
--   included_exhausted           a user's included usage ran out in the current cycle (they are on-demand now)
--   included_projected_to_run_out ... is projected to run out before the cycle ends
--   contract_pool_projected_to_run_out  an organization's contract pool is projected to run out before the contract
--                                ends (rpt_cursor_contract_pool_forecast); one key per contract
--   spend_anomaly                an anomalous user-day (rpt_cursor_spend_anomalies) in the last
--                                var('alert_lookback_days') days
-- Budgets on basis 'all' count the seat cost, an estimate (is_estimated; the message says so).
-- Each alert has the severity of its kind (var alert_severity) and a delivery mode (macro alert_delivery: send,
-- digest or off by vars); of the alerts of one budget, scope value and period, only the one at the highest threshold
-- crossed (else the forecast) is delivered: the others are off, superseded_by it (one message per budget and period).

with

budgets as (

    select * from {{ ref('rpt_cursor_budget_status') }} where is_current_period

),

thresholds as (

    select * from {{ ref('int_budget_thresholds') }}

),

cycles as (

    select * from {{ ref('rpt_cursor_cycle_forecast') }}

),

pools as (

    select * from {{ ref('rpt_cursor_contract_pool_forecast') }} where status = 'projected_to_run_out'

),

anomalies as (

    select * from {{ ref('rpt_cursor_spend_anomalies') }}
    where is_anomaly
        and usage_date > {{ add_days('as_of_date', -var('alert_lookback_days')) }}

),

budget_alerts as (

    select
        'budget|' || budgets.budget_name || '|' || budgets.scope_value || '|'
        || cast(budgets.period_start as varchar) || '|' || cast(thresholds.threshold_pct as varchar) as alert_key,
        'budget_threshold_crossed' as kind,
        budgets.budget_name,
        budgets.scope,
        budgets.scope_value,
        budgets.basis,
        budgets.period_start,
        thresholds.crossed_on as alert_date,
        budgets.spend_to_date_usd as amount_usd,
        thresholds.threshold_usd,
        budgets.projected_exceeded_on as projected_date,
        'Budget ' || budgets.budget_name || ' (' || budgets.scope || ' ' || budgets.scope_value || ', '
        || {{ month_text('budgets.period_start') }} || '): '
        || cast(thresholds.threshold_pct as varchar) || '% of ' || {{ usd_text('budgets.budget_usd') }}
        || ' reached on ' || cast(thresholds.crossed_on as varchar) || '; ' || {{ usd_text('budgets.spend_to_date_usd') }}
        || ' spent to ' || cast(budgets.as_of_date as varchar) as text

    from budgets
    inner join thresholds
        on budgets.budget_name = thresholds.budget_name
        and budgets.scope_value = thresholds.scope_value
        and budgets.period_start = thresholds.period_start
    where thresholds.crossed_on is not null

    union all

    select
        'budget_forecast|' || budget_name || '|' || scope_value || '|' || cast(period_start as varchar),
        'budget_projected_to_exceed',
        budget_name,
        scope,
        scope_value,
        basis,
        period_start,
        as_of_date,
        projected_total_usd,
        budget_usd,
        projected_exceeded_on,
        'Budget ' || budget_name || ' (' || scope || ' ' || scope_value || ', ' || {{ month_text('period_start') }}
        || '): projected to exceed ' || {{ usd_text('budget_usd') }} || ' on ' || cast(projected_exceeded_on as varchar)
        || ', ' || {{ usd_text('projected_total_usd') }} || ' by ' || cast(period_end as varchar) || '; '
        || {{ usd_text('spend_to_date_usd') }} || ' spent to ' || cast(as_of_date as varchar)

    from budgets
    where status = 'projected_to_exceed'

),

cycle_alerts as (

    select
        'spend_limit|' || team || '|' || user_email || '|' || cast(cycle_start as varchar) as alert_key,
        'spend_limit_reached' as kind,
        team,
        user_email,
        cycle_start,
        spend_limit_reached_on as alert_date,
        on_demand_spend_usd as amount_usd,
        cast(spend_limit_usd as decimal(38, 11)) as threshold_usd,
        cast(null as date) as projected_date,
        user_email || ' (team ' || team || ') reached the spend limit of ' || {{ usd_text('spend_limit_usd') }}
        || ' on ' || cast(spend_limit_reached_on as varchar) || ': ' || {{ usd_text('on_demand_spend_usd') }}
        || ' on-demand in the cycle from ' || cast(cycle_start as varchar) as text

    from cycles
    where spend_limit_reached_on is not null

    union all

    select
        'spend_limit_forecast|' || team || '|' || user_email || '|' || cast(cycle_start as varchar),
        'spend_limit_projected',
        team,
        user_email,
        cycle_start,
        as_of_date,
        on_demand_spend_usd,
        cast(spend_limit_usd as decimal(38, 11)),
        spend_limit_projected_on,
        user_email || ' (team ' || team || ') is projected to reach the spend limit of '
        || {{ usd_text('spend_limit_usd') }} || ' on ' || cast(spend_limit_projected_on as varchar) || ': '
        || {{ usd_text('on_demand_spend_usd') }} || ' on-demand to ' || cast(as_of_date as varchar) || ', '
        || {{ usd_text('projected_on_demand_usd') }} || ' projected by ' || cast(cycle_end as varchar)

    from cycles
    where spend_limit_projected_on is not null

    union all

    select
        'included|' || team || '|' || user_email || '|' || cast(cycle_start as varchar),
        'included_exhausted',
        team,
        user_email,
        cycle_start,
        included_exhausted_on,
        included_used_usd,
        included_allowance_usd,
        cast(null as date),
        user_email || ' (team ' || team || ') used up the included usage (' || {{ usd_text('included_allowance_usd') }}
        || ') on ' || cast(included_exhausted_on as varchar) || ' and is on-demand until the cycle ends on '
        || cast(cycle_end as varchar)

    from cycles
    where included_exhausted_on is not null and included_allowance_usd > 0

    union all

    select
        'included_forecast|' || team || '|' || user_email || '|' || cast(cycle_start as varchar),
        'included_projected_to_run_out',
        team,
        user_email,
        cycle_start,
        as_of_date,
        included_used_usd,
        included_allowance_usd,
        included_runs_out_on,
        user_email || ' (team ' || team || ') is projected to use up the included usage ('
        || {{ usd_text('included_allowance_usd') }} || ') on ' || cast(included_runs_out_on as varchar) || ': '
        || {{ usd_text('included_used_usd') }} || ' used to ' || cast(as_of_date as varchar)
        || '; on-demand after that'

    from cycles
    where included_runs_out_on is not null

),

pool_alerts as (

    select
        'contract_pool|' || organization_id || '|' || cast(contract_start as varchar) as alert_key,
        'contract_pool_projected_to_run_out' as kind,
        organization_id,
        contract_start,
        as_of_date,
        pool_used_usd,
        limit_usd,
        projected_run_out_on,
        'The contract pool of organization ' || organization_id || ' (' || {{ usd_text('limit_usd') }}
        || ' to ' || cast(contract_end as varchar) || ') is projected to run out on '
        || cast(projected_run_out_on as varchar) || ': ' || {{ usd_text('pool_used_usd') }} || ' used to '
        || cast(as_of_date as varchar) || ', ' || {{ usd_text('pool_remaining_usd') }} || ' left' as text

    from pools

),

anomaly_alerts as (

    select
        'anomaly|' || team || '|' || user_email || '|' || cast(usage_date as varchar) as alert_key,
        'spend_anomaly' as kind,
        team,
        user_email,
        usage_date,
        usage_usd,
        cast(baseline_median_usd as decimal(38, 11)) as threshold_usd,
        user_email || ' (team ' || team || ') used ' || {{ usd_text('usage_usd') }} || ' on '
        || cast(usage_date as varchar) || ', '
        || case
            when compared_with = 'user_baseline'
                then {{ one_decimal_text('usage_usd / nullif(baseline_median_usd, 0)') }}
                || ' x their median day of ' || {{ usd_text('baseline_median_usd') }}
            else {{ one_decimal_text('team_multiple') }}
                || ' x the median active user of the team that day'
        end
        || case when is_provisional then ' (provisional: Cursor may still revise this day)' else '' end as text

    from anomalies

),

unioned as (

    select
        alert_key, kind, cast(null as varchar) as team, scope, scope_value, cast(null as varchar) as user_email,
        budget_name, period_start, alert_date, amount_usd, threshold_usd, projected_date,
        basis = 'all' as is_estimated,
        text || case when basis = 'all' then ' (seat cost included: an estimate)' else ' (on-demand spend)' end
            as message
    from budget_alerts
    union all
    select
        alert_key, kind, team, 'user' as scope, user_email as scope_value, user_email,
        cast(null as varchar) as budget_name, cycle_start, alert_date, amount_usd, threshold_usd, projected_date,
        false as is_estimated, text
    from cycle_alerts
    union all
    select
        alert_key, kind, team, 'user' as scope, user_email as scope_value, user_email,
        cast(null as varchar) as budget_name, cast(null as date), usage_date, usage_usd, threshold_usd,
        cast(null as date), false, text
    from anomaly_alerts
    union all
    select
        alert_key, kind, cast(null as varchar), 'organization', organization_id, cast(null as varchar),
        cast(null as varchar), contract_start, as_of_date, pool_used_usd, limit_usd, projected_run_out_on, false, text
    from pool_alerts

),

rated as (

    select
        *,
        {{ alert_severity('kind') }} as severity

    from unioned

),

moded as (

    select
        *,
        {{ alert_delivery('kind', 'severity') }} as kind_delivery

    from rated

),

budget_messages as (

    select
        alert_key,
        row_number() over (
            partition by budget_name, scope_value, period_start
            order by
                case when kind_delivery = 'off' then 1 else 0 end,
                case when kind = 'budget_threshold_crossed' then 0 else 1 end,
                threshold_usd desc
        ) as message_rank,
        budget_name,
        scope_value,
        period_start

    from moded
    where budget_name is not null

),

carriers as (

    select budget_name, scope_value, period_start, alert_key as carried_by
    from budget_messages
    where message_rank = 1

),

final as (

    select
        moded.*,
        case when carriers.carried_by != moded.alert_key then carriers.carried_by end as superseded_by

    from moded
    left join carriers
        on moded.budget_name = carriers.budget_name
        and moded.scope_value = carriers.scope_value
        and moded.period_start = carriers.period_start

)

select
    cast(alert_key as varchar) as alert_key,
    cast(kind as varchar) as kind,
    cast(severity as varchar) as severity,
    cast(case when superseded_by is null then kind_delivery else 'off' end as varchar) as delivery,
    cast(superseded_by as varchar) as superseded_by,
    cast(team as varchar) as team,
    cast(scope as varchar) as scope,
    cast(scope_value as varchar) as scope_value,
    cast(user_email as varchar) as user_email,
    cast(budget_name as varchar) as budget_name,
    cast(period_start as date) as period_start,
    cast(alert_date as date) as alert_date,
    cast(amount_usd as decimal(38, 11)) as amount_usd,
    cast(threshold_usd as decimal(38, 11)) as threshold_usd,
    cast(projected_date as date) as projected_date,
    cast(is_estimated as boolean) as is_estimated,
    cast(message as varchar) as message

from final
