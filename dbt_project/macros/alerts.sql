{#- How each alert is delivered (rpt_cursor_alerts): a severity per kind, a delivery mode per severity and per kind.
    The vars are checked here, so a misspelt severity or mode stops the build with one line naming the var. -#}

{#- The severity of `kind` (var alert_severity: kind -> action, warning or information). -#}
{% macro alert_severity(kind) -%}
    {%- set by_kind = var('alert_severity') -%}
    {%- for name, severity in by_kind.items() if severity not in ['action', 'warning', 'information'] -%}
        {{ exceptions.raise_compiler_error("var alert_severity: " ~ name ~ " is '" ~ severity ~ "'; use action, warning or information") }}
    {%- endfor -%}
    case {{ kind }}
        {%- for name, severity in by_kind.items() %}
        when '{{ name }}' then '{{ severity }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The delivery mode of an alert of `kind` and `severity`: var alert_delivery_by_kind (kind -> mode) first, then var
    alert_delivery (severity -> mode); a mode is send, digest or off. -#}
{% macro alert_delivery(kind, severity) -%}
    {%- set by_kind, by_severity = var('alert_delivery_by_kind'), var('alert_delivery') -%}
    {%- for var_name, modes in [('alert_delivery_by_kind', by_kind), ('alert_delivery', by_severity)] -%}
        {%- for name, mode in modes.items() if mode not in ['send', 'digest', 'off'] -%}
            {{ exceptions.raise_compiler_error("var " ~ var_name ~ ": " ~ name ~ " is '" ~ mode ~ "'; use send, digest or off") }}
        {%- endfor -%}
    {%- endfor -%}
    case
        {%- for name, mode in by_kind.items() %}
        when {{ kind }} = '{{ name }}' then '{{ mode }}'
        {%- endfor %}
        {%- for name, mode in by_severity.items() %}
        when {{ severity }} = '{{ name }}' then '{{ mode }}'
        {%- endfor %}
    end
{%- endmacro %}
