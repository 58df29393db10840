with source as (
    select * from {{ calven_source('_calven_sync_windows') }} as loaded
),

renamed as (
    select
        cast(dataset as {{ dbt.type_string() }}) as dataset,
        cast({{ adapter.quote("partition") }} as {{ dbt.type_string() }}) as partition_id,
        cast(window_start as date) as window_start,
        cast(window_end as date) as window_end,
        cast({{ adapter.quote("rows") }} as {{ dbt.type_bigint() }}) as row_count,
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(fetched_at as {{ calven_type_timestamptz() }}) as fetched_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id
    from source
)

select * from renamed
