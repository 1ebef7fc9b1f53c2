-- Linked costs: the usage of a conversation that wrote ranges in commits goes to those commits, split in proportion
-- to the lines it wrote in each (int_conversation_lines_summed_to_commits). Split per team, UTC day, user and
-- conversation with the exact split (macros/splits.sql: cumulative rounding, commits in hash order), so each
-- amount's shares add up to it exactly; usage and billed are split alike.

with

usage_values as (

    select * from {{ ref('int_usage_values_aggregated_to_conversations') }}

),

conversation_lines as (

    select * from {{ ref('int_conversation_lines_summed_to_commits') }}

),

weighted as (

    select
        usage_values.team,
        usage_values.usage_date,
        usage_values.user_email,
        usage_values.conversation_id,
        conversation_lines.commit_hash,
        usage_values.usage_usd,
        usage_values.billed_usd,
        conversation_lines.line_count,
        sum(conversation_lines.line_count) over (
            partition by usage_values.team, usage_values.usage_date, usage_values.user_email,
                usage_values.conversation_id
            order by conversation_lines.commit_hash
            rows between unbounded preceding and current row
        ) as lines_through,
        sum(conversation_lines.line_count) over (
            partition by usage_values.team, usage_values.usage_date, usage_values.user_email,
                usage_values.conversation_id
        ) as lines_total

    from usage_values
    inner join conversation_lines
        on usage_values.team = conversation_lines.team
        and usage_values.conversation_id = conversation_lines.conversation_id

),

final as (

    select
        team,
        usage_date,
        user_email,
        conversation_id,
        commit_hash,
        cast({{ exact_split('usage_usd', 'line_count', 'lines_through', 'lines_total') }} as decimal(38, 11))
        as usage_usd,
        cast({{ exact_split('billed_usd', 'line_count', 'lines_through', 'lines_total') }} as decimal(38, 11))
        as billed_usd

    from weighted

)

select * from final
