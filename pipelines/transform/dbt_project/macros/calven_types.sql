{# Types and dates the same way on every warehouse: weeks start on Monday, days are UTC days. #}

{% macro calven_week_start(column) %}
    {{ return(adapter.dispatch('calven_week_start', 'calven_warehouse')(column)) }}
{% endmacro %}

{% macro default__calven_week_start(column) %}
    cast({{ dbt.date_trunc('week', column) }} as date)
{% endmacro %}

{% macro bigquery__calven_week_start(column) %}
    date_trunc({{ column }}, isoweek)
{% endmacro %}

{% macro calven_utc_date(column) %}
    {{ return(adapter.dispatch('calven_utc_date', 'calven_warehouse')(column)) }}
{% endmacro %}

{% macro default__calven_utc_date(column) %}
    cast(({{ column }} at time zone 'UTC') as date)
{% endmacro %}

{% macro snowflake__calven_utc_date(column) %}
    cast(convert_timezone('UTC', {{ column }}) as date)
{% endmacro %}

{% macro bigquery__calven_utc_date(column) %}
    date({{ column }}, 'UTC')
{% endmacro %}

{% macro calven_ratio(numerator, denominator) %}
    cast({{ numerator }} as {{ calven_type_double() }}) / nullif({{ denominator }}, 0)
{% endmacro %}

{# A point in time: every timestamp calven-sync loads is UTC and keeps its zone. #}
{% macro calven_type_timestamptz() %}
    {{ return(adapter.dispatch('calven_type_timestamptz', 'calven_warehouse')()) }}
{% endmacro %}

{% macro default__calven_type_timestamptz() %}timestamp with time zone{% endmacro %}

{% macro snowflake__calven_type_timestamptz() %}timestamp_tz{% endmacro %}

{% macro bigquery__calven_type_timestamptz() %}timestamp{% endmacro %}

{# Rates and averages in double precision (dbt.type_float() is 32-bit on DuckDB). #}
{% macro calven_type_double() %}
    {{ return(adapter.dispatch('calven_type_double', 'calven_warehouse')()) }}
{% endmacro %}

{% macro default__calven_type_double() %}double precision{% endmacro %}

{% macro bigquery__calven_type_double() %}float64{% endmacro %}
