{#- Plans without audit logs or billing groups never create these raw tables: create them empty. -#}
{% macro create_optional_raw_tables() %}
    {% if execute %}
        create schema if not exists cursor_raw;
        create table if not exists cursor_raw.audit_logs (
            team varchar, event_id varchar, event_at timestamp with time zone, ip_address varchar,
            user_email varchar, event_type varchar, event_data json, _dlt_load_id varchar, _dlt_id varchar
        );
        create table if not exists cursor_raw.billing_groups (
            team varchar, cycle_start date, group_id varchar, name varchar, member_count bigint,
            spend_cents decimal(38, 9), _dlt_load_id varchar, _dlt_id varchar
        );
        create table if not exists cursor_raw.billing_group_members (
            team varchar, cycle_start date, group_id varchar, group_name varchar, user_id varchar, email varchar,
            name varchar, joined_at timestamp with time zone, left_at timestamp with time zone,
            spend_cents decimal(38, 9), _dlt_load_id varchar, _dlt_id varchar
        );
    {% endif %}
{% endmacro %}
