"""What the CLI shows a person: progress while windows load, a summary at the end.

Every summary goes out through ``show_summary`` (``pipelines.cli.logformat.output``): the text
below, or with ``--log-format json`` one object holding it and the same figures as fields.
"""

from __future__ import annotations

from typing import Any

from pipelines.cli.logformat import output
from pipelines.cli.progress import Progress
from pipelines.runner import SyncReport

__all__ = ["Progress", "show_summary", "summary", "summary_fields"]


def summary(report: SyncReport, *, error: str | None = None, resume: str | None = None) -> str:
    """A small table of what landed: rows and windows per dataset (a replaced table says what
    it held before), then requests, retries and time; for a run that failed, what did not land
    and the command that resumes it."""
    session = report.session
    names = sorted(set(session.rows) | set(session.windows) | set(report.replaced))
    lines = [f"{'dataset':<22}{'rows':>12}{'windows':>10}"]
    for name in names:
        line = f"{name:<22}{report.landed_rows[name]:>12,}{report.landed_windows[name]:>10,}"
        if name in report.replaced:
            before = report.replaced[name]
            if name not in report.landed_rows:
                line += f"  not replaced ({before or 0:,} rows kept)"
            else:
                was = "no table before" if before is None else f"{before:,} rows before"
                line += f"  replaced ({was})"
        lines.append(line)
    lines.append(
        f"requests {session.requests:,}, retries {session.retries:,}, "
        f"load packages {len(report.load_ids)}, {report.seconds:.1f} s"
    )
    if report.new_columns:
        lines.append(
            f"schema changes: {', '.join(report.new_columns)} (new column(s): the API added "
            "fields; they are loaded)"
        )
    if session.failures:
        lines.append(f"FAILED windows: {len(session.failures)}")
        lines += [f"  {failure}" for failure in session.failures[:20]]
        if len(session.failures) > 20:
            lines.append(f"  ... and {len(session.failures) - 20} more")
    if error is not None:
        fetched = sum(session.rows.values()) - sum(report.landed_rows.values())
        lines.append(f"FAILED: {error}")
        lines.append(
            f"kept: {sum(report.landed_windows.values()):,} window(s), "
            f"{sum(report.landed_rows.values()):,} row(s) in {len(report.load_ids)} load "
            f"package(s); not loaded: {max(fetched, 0):,} row(s) fetched since the last checkpoint"
        )
    if resume is not None and (error is not None or session.failures):
        lines.append(f"resume with: {resume}")
    return "\n".join(lines)


def summary_fields(
    report: SyncReport, *, error: str | None = None, resume: str | None = None
) -> dict[str, Any]:
    """The figures of ``summary`` by name, for a structured log."""
    session = report.session
    names = sorted(set(session.rows) | set(session.windows) | set(report.replaced))
    datasets: dict[str, dict[str, Any]] = {}
    for name in names:
        figures: dict[str, Any] = {
            "rows": report.landed_rows[name],
            "windows": report.landed_windows[name],
        }
        if name in report.replaced:
            figures["replaced"] = name in report.landed_rows
            figures["rows_before"] = report.replaced[name]
        datasets[name] = figures
    fetched = sum(session.rows.values()) - sum(report.landed_rows.values())
    return {
        "datasets": datasets,
        "rows": sum(report.landed_rows.values()),
        "windows": sum(report.landed_windows.values()),
        "requests": session.requests,
        "retries": session.retries,
        "load_packages": len(report.load_ids),
        "seconds": round(report.seconds, 3),
        "schema_changes": list(report.new_columns),
        "failed_windows": len(session.failures),
        "first_failed_windows": [str(failure) for failure in session.failures[:20]] or None,
        "error": error,
        "not_loaded_rows": max(fetched, 0) if error is not None else None,
        "resume": resume if resume is not None and (error or session.failures) else None,
    }


def show_summary(
    report: SyncReport, *, error: str | None = None, resume: str | None = None
) -> None:
    """Write the sync's summary on stdout, as text or as a JSON ``summary`` object."""
    level = "error" if error is not None else "warning" if report.session.failures else "info"
    output(
        "summary",
        summary(report, error=error, resume=resume),
        level=level,
        scope="sync",
        **summary_fields(report, error=error, resume=resume),
    )
