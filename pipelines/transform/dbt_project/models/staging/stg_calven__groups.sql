with source as (
    select * from {{ calven_source('groups') }} as loaded
),

renamed as (
    select
        cast(group_id as {{ dbt.type_string() }}) as group_id,
        cast(group_name as {{ dbt.type_string() }}) as group_name,
        cast(group_type as {{ dbt.type_string() }}) as group_type,
        cast(parent_group_id as {{ dbt.type_string() }}) as parent_group_id,
        cast(status as {{ dbt.type_string() }}) as status
    from source
)

select * from renamed
