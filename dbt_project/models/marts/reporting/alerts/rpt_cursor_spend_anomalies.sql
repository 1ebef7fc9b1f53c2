-- Every active user-day of the last var('anomaly_evaluation_days') loaded days, scored against the user's own
-- baseline and the team's: the day's usage value (included + on-demand list value, int_spend_series_days basis
-- usage_value, what a spike draws from the allowance and then the spend limit).
--   baseline: the user's active days in the var('anomaly_baseline_days') days before the day;
--   modified_z_score = 0.6745 x (usage - baseline median) / baseline MAD (median absolute deviation; the MAD is
--     taken as at least 1 % of the median and 1 cent, so a very steady user's score stays finite);
--   team_multiple = usage / the median usage of the team's active users that day.
-- is_anomaly: the day exceeds the baseline median by at least var('anomaly_min_spend_usd') dollars, and either
-- the user has var('anomaly_min_history_days') baseline days, modified_z_score >= var('anomaly_z_threshold') and
-- the day is at least var('anomaly_min_multiple') x the baseline median (daily spend is skewed: a score alone
-- flags ordinary busy days), or has fewer and team_multiple >= var('anomaly_team_multiple'); on
-- the last var('anomaly_provisional_days') days, which Cursor still revises, only with modified_z_score >=
-- var('anomaly_provisional_z').

with

usage_days as (

    select team, scope_value as user_email, usage_date, spend_usd as usage_usd
    from {{ ref('int_spend_series_days') }}
    where basis = 'usage_value' and spend_usd > 0

),

as_of as (

    select max(usage_date) as as_of_date from {{ ref('fct_cursor_costs_daily') }}

),

evaluated as (

    select usage_days.*, as_of.as_of_date
    from usage_days
    cross join as_of
    where usage_days.usage_date > {{ add_days('as_of.as_of_date', -var('anomaly_evaluation_days')) }}

),

baseline_days as (

    select evaluated.team, evaluated.user_email, evaluated.usage_date, past.usage_usd

    from evaluated
    inner join usage_days as past
        on evaluated.team = past.team
        and evaluated.user_email = past.user_email
        and past.usage_date < evaluated.usage_date
        and past.usage_date >= {{ add_days('evaluated.usage_date', -var('anomaly_baseline_days')) }}

),

medians as (

    select team, user_email, usage_date, count(*) as baseline_days, {{ median('usage_usd') }} as baseline_median

    from baseline_days
    group by team, user_email, usage_date

),

-- one row per evaluated day with a baseline: its size, median and MAD (one join of the two above)
baselines as (

    select
        medians.team,
        medians.user_email,
        medians.usage_date,
        min(medians.baseline_days) as baseline_days,
        min(medians.baseline_median) as baseline_median,
        {{ median('abs(cast(baseline_days.usage_usd as double precision) - medians.baseline_median)') }}
            as baseline_mad

    from medians
    inner join baseline_days
        on medians.team = baseline_days.team
        and medians.user_email = baseline_days.user_email
        and medians.usage_date = baseline_days.usage_date
    group by medians.team, medians.user_email, medians.usage_date

),

team_days as (

    select team, usage_date, {{ median('usage_usd') }} as team_median

    from usage_days
    group by team, usage_date

),

scored as (

    select
        evaluated.team,
        evaluated.user_email,
        evaluated.usage_date,
        evaluated.as_of_date,
        evaluated.usage_usd,
        coalesce(baselines.baseline_days, 0) as baseline_days,
        baselines.baseline_median,
        baselines.baseline_mad,
        team_days.team_median,
        0.6745 * (cast(evaluated.usage_usd as double precision) - baselines.baseline_median)
            / {{ greatest_ignoring_nulls(['baselines.baseline_mad', '0.01 * baselines.baseline_median', '0.01']) }}
            as modified_z_score,
        cast(evaluated.usage_usd as double precision) / nullif(team_days.team_median, 0) as team_multiple,
        evaluated.usage_date > {{ add_days('evaluated.as_of_date', -var('anomaly_provisional_days')) }}
            as is_provisional

    from evaluated
    left join baselines
        on evaluated.team = baselines.team
        and evaluated.user_email = baselines.user_email
        and evaluated.usage_date = baselines.usage_date
    left join team_days
        on evaluated.team = team_days.team
        and evaluated.usage_date = team_days.usage_date

),

flagged as (

    select
        *,
        case
            when baseline_days >= {{ var('anomaly_min_history_days') }} then 'user_baseline'
            else 'team_baseline'
        end as compared_with,
        cast(usage_usd as double precision) - coalesce(baseline_median, 0) >= {{ var('anomaly_min_spend_usd') }}
        and case
            when baseline_days >= {{ var('anomaly_min_history_days') }}
                then cast(usage_usd as double precision) >= {{ var('anomaly_min_multiple') }} * baseline_median
                and modified_z_score >= case
                    when is_provisional then {{ var('anomaly_provisional_z') }}
                    else {{ var('anomaly_z_threshold') }}
                end
            else not is_provisional and team_multiple >= {{ var('anomaly_team_multiple') }}
        end as is_anomaly

    from scored

)

select
    cast(team as varchar) as team,
    cast(user_email as varchar) as user_email,
    cast(usage_date as date) as usage_date,
    cast(as_of_date as date) as as_of_date,
    cast(usage_usd as decimal(38, 11)) as usage_usd,
    cast(baseline_days as integer) as baseline_days,
    cast(baseline_median as double precision) as baseline_median_usd,
    cast(baseline_mad as double precision) as baseline_mad_usd,
    cast(modified_z_score as double precision) as modified_z_score,
    cast(team_median as double precision) as team_median_usd,
    cast(team_multiple as double precision) as team_multiple,
    cast(compared_with as varchar) as compared_with,
    cast(is_provisional as boolean) as is_provisional,
    cast(coalesce(is_anomaly, false) as boolean) as is_anomaly

from flagged
