-- The read-only role BI tools (Superset, another BI tool, an analyst's mf) connect as. Run it as a role that may
-- create roles, with psql:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -v reader=cursor_spend_reader -v reader_password=... -f reader_role.sql
-- It is idempotent (docker-compose runs it at every start, tests/bi before the transform). It only makes the role:
-- its sessions read-only and in UTC (the marts' days are UTC days). What it may read is the build's: name it in
-- CURSOR_SPEND_READER_ROLES (dbt var reader_roles) and every build grants it USAGE on schema marts and SELECT on
-- each mart, and nothing else (docs/postgres.md).

select format('create role %I', :'reader')
where not exists (select from pg_roles where rolname = :'reader') \gexec

alter role :"reader" with login nosuperuser nocreatedb nocreaterole noinherit password :'reader_password';
alter role :"reader" set default_transaction_read_only = on;
alter role :"reader" set timezone = 'UTC';
