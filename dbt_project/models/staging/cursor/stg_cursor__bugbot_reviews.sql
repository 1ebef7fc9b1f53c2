-- Bugbot's reviews of pull requests; cost_cents is null when Bugbot is not billed separately (and for dry runs).

with

source as (

    select * from {{ source('cursor', 'bugbot_reviews') }}

),

renamed as (

    select
        team,
        request_id,
        cast(reviewed_at as timestamp with time zone) as reviewed_at,
        repo as repository,
        repo_node_id,
        pr_number,
        commit_sha,
        coalesce(bugs_found, 0) as bugs_found,
        cast(cost_cents as decimal(38, 9)) as cost_cents,
        coalesce(dry_run, false) as is_dry_run,
        publication_status

    from source

)

select * from renamed
