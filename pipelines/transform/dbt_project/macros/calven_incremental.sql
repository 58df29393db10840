{#
    The one rule of every incremental mart, in one place.

    Each row carries `_calven_load_id`: the newest load (`_dlt_load_id` of `_calven_sync_windows`)
    among the windows of `datasets` that cover the row's day. A full build computes it for every
    day; an incremental build rebuilds exactly the days whose value is newer than the newest one
    the mart holds, i.e. the days some load since the last build touched (lookback re-reads
    included: a re-read window is a new load). Unchanged days keep the value a full build would
    give them, so an incremental mart equals a full refresh row for row.
#}
{% macro calven_day_loads(datasets, days_from, day_column='day') %}
    select days.day, max(windows._dlt_load_id) as load_id
    from (select distinct {{ day_column }} as day from {{ days_from }}) as days
    inner join {{ calven_source('_calven_sync_windows') }} as windows
        on windows.dataset in ({% for d in datasets %}'{{ d }}'{{ ", " if not loop.last }}{% endfor %})
        and days.day >= cast(windows.window_start as date)
        and days.day < cast(windows.window_end as date)
    group by days.day
{% endmacro %}

{% macro calven_days_to_build(datasets, days_from, day_column='day') %}
    select day, load_id
    from ({{ calven_day_loads(datasets, days_from, day_column) }}) as day_loads
    {% if is_incremental() %}
    where load_id > (select coalesce(max(_calven_load_id), '') from {{ this }})
    {% endif %}
{% endmacro %}
