-- Allocated costs: the usage of a user on UTC day D that no conversation links (events outside a conversation, or
-- whose conversation wrote no ranges in a known commit) goes to the user's commits of the first day on or after D,
-- and at most var('repo_attribution_days') days after it, on which they committed; split over that day's commits by
-- AI lines added (tab + agent), equally when none has any, with the exact split (macros/splits.sql, commits in hash
-- order). The user is the event's user_email and the commit's author: events without an email (members removed
-- since) and service accounts' events cannot be allocated. Usage with no such commit day is unattributed
-- (commit_hash null).

with

usage_values as (

    select * from {{ ref('int_usage_values_aggregated_to_conversations') }}

),

conversation_lines as (

    select * from {{ ref('int_conversation_lines_summed_to_commits') }}

),

commits as (

    select * from {{ ref('int_ai_commits_deduplicated') }}

),

linked_conversations as (

    select distinct team, conversation_id from conversation_lines

),

unlinked as (

    select
        usage_values.team,
        usage_values.usage_date,
        usage_values.user_email,
        sum(usage_values.usage_usd) as usage_usd,
        sum(usage_values.billed_usd) as billed_usd

    from usage_values
    left join linked_conversations
        on usage_values.team = linked_conversations.team
        and usage_values.conversation_id = linked_conversations.conversation_id
    where linked_conversations.conversation_id is null
    group by usage_values.team, usage_values.usage_date, usage_values.user_email

),

commit_days as (

    select distinct team, user_email, commit_date from commits

),

target_days as (

    select
        unlinked.team,
        unlinked.usage_date,
        unlinked.user_email,
        min(commit_days.commit_date) as commit_date

    from unlinked
    inner join commit_days
        on unlinked.team = commit_days.team
        and unlinked.user_email = commit_days.user_email
        and commit_days.commit_date >= unlinked.usage_date
        and commit_days.commit_date <= {{ add_days('unlinked.usage_date', var('repo_attribution_days')) }}
    group by unlinked.team, unlinked.usage_date, unlinked.user_email

),

day_commits as (

    select
        team,
        user_email,
        commit_date,
        commit_hash,
        case
            when sum(ai_lines_added) over (partition by team, user_email, commit_date) = 0 then 1
            else ai_lines_added
        end as weight

    from commits

),

weighted as (

    select
        unlinked.team,
        unlinked.usage_date,
        unlinked.user_email,
        day_commits.commit_hash,
        unlinked.usage_usd,
        unlinked.billed_usd,
        day_commits.weight,
        sum(day_commits.weight) over (
            partition by unlinked.team, unlinked.usage_date, unlinked.user_email
            order by day_commits.commit_hash
            rows between unbounded preceding and current row
        ) as weight_through,
        sum(day_commits.weight) over (
            partition by unlinked.team, unlinked.usage_date, unlinked.user_email
        ) as weight_total

    from unlinked
    left join target_days
        on unlinked.team = target_days.team
        and unlinked.usage_date = target_days.usage_date
        and unlinked.user_email = target_days.user_email
    left join day_commits
        on target_days.team = day_commits.team
        and target_days.user_email = day_commits.user_email
        and target_days.commit_date = day_commits.commit_date

),

final as (

    select
        team,
        usage_date,
        user_email,
        commit_hash,
        cast(
            case
                when commit_hash is null then usage_usd
                else {{ exact_split('usage_usd', 'weight', 'weight_through', 'weight_total') }}
            end
            as decimal(38, 11)
        ) as usage_usd,
        cast(
            case
                when commit_hash is null then billed_usd
                else {{ exact_split('billed_usd', 'weight', 'weight_through', 'weight_total') }}
            end
            as decimal(38, 11)
        ) as billed_usd

    from weighted

)

select * from final
