{#
    Generic test: no two rows of `model` share the same values of `columns` (a compound key).

        data_tests:
          - unique_combination:
              arguments:
                columns: [user_id, day]

    Fails with one row per duplicated combination and how often it occurs. Nulls count as
    equal values (GROUP BY semantics), so a nullable key column (e.g. a location_id that may be
    null) is checked too; add not_null tests where a key column must be filled. Column names
    are used as written (no quoting). Plain GROUP BY / HAVING: runs on DuckDB, Postgres,
    Snowflake and BigQuery alike.
#}
{% test unique_combination(model, columns) %}
    {%- if columns is string -%}
        {%- set columns = [columns] -%}
    {%- endif -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error(
            "unique_combination: `columns` needs at least one column name"
        ) }}
    {%- endif %}

select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    count(*) as duplicate_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
