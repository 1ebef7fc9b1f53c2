-- The read-only role BI tools (Superset, another BI tool, an analyst's mf) connect as: it can read the tables of
-- schema marts and nothing else. Run it as the role that runs dbt (the marts' owner), with psql:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -v reader=cursor_spend_reader -v reader_password=... -f reader_role.sql
-- It is idempotent (docker-compose runs it at every start, tests/bi after the transform). The grants:
--   USAGE on schema marts, SELECT on its tables, and the same SELECT on every table the owner creates there later
--   (default privileges: dbt rebuilds a mart as a new table and swaps it in, so the grant survives rebuilds);
--   sessions read-only and in UTC (the marts' days are UTC days).

select format('create role %I', :'reader')
where not exists (select from pg_roles where rolname = :'reader') \gexec

alter role :"reader" with login nosuperuser nocreatedb nocreaterole noinherit password :'reader_password';
alter role :"reader" set default_transaction_read_only = on;
alter role :"reader" set timezone = 'UTC';

create schema if not exists marts;  -- before dbt's first build (compose): the grants need the schema
grant usage on schema marts to :"reader";
grant select on all tables in schema marts to :"reader";
alter default privileges in schema marts grant select on tables to :"reader";
