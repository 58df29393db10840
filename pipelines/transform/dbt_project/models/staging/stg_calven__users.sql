with source as (
    select * from {{ calven_source('users') }} as loaded
),

renamed as (
    select
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(user_name as {{ dbt.type_string() }}) as user_name,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(first_name as {{ dbt.type_string() }}) as first_name,
        cast(last_name as {{ dbt.type_string() }}) as last_name,
        cast(onboarded as {{ dbt.type_boolean() }}) as is_onboarded,
        cast(primary_group_id as {{ dbt.type_string() }}) as primary_group_id,
        cast(primary_location_id as {{ dbt.type_string() }}) as primary_location_id,
        cast(status as {{ dbt.type_string() }}) as status
    from source
)

select * from renamed
