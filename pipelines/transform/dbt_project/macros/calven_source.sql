{#
    A loaded table, or an empty relation with the same columns when that table was never
    loaded (a sync of some datasets only, or `bookings_future` before the first `future`):
    every model builds, and what is missing is empty rather than an error.
    The empty relation's columns come from the source's documentation (_calven__sources.yml);
    staging casts them to their types.
#}
{% macro calven_source(table_name) %}
    {%- set relation = source('calven', table_name) -%}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {%- set node = graph.sources['source.calven_warehouse.calven.' ~ table_name] -%}
        (select
        {%- for column in node.columns %}
            cast(null as {{ dbt.type_string() }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
        where 1 = 0)
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{% endmacro %}
