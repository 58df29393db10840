with source as (
    select * from {{ calven_source('user_change_log') }} as loaded
),

renamed as (
    select
        cast(change_log_id as {{ dbt.type_string() }}) as change_log_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(user_name as {{ dbt.type_string() }}) as user_name,
        cast(event_time as {{ calven_type_timestamptz() }}) as event_time,
        {{ calven_utc_date('cast(event_time as ' ~ calven_type_timestamptz() ~ ')') }} as event_day,
        cast(booking_day as date) as booking_day,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(previous_plan as {{ dbt.type_string() }}) as previous_plan,
        cast(new_plan as {{ dbt.type_string() }}) as new_plan,
        cast(changed_by as {{ dbt.type_string() }}) as changed_by,
        cast(reason_code as {{ dbt.type_string() }}) as reason_code,
        cast(location_id as {{ dbt.type_string() }}) as location_id
    from source
)

select * from renamed
