"""Alerts to a Slack-compatible incoming webhook, configured the dlt way.

The hook is dlt's ``[runtime] slack_incoming_hook`` (``RUNTIME__SLACK_INCOMING_HOOK``). A run
that failed or only partly loaded, or that met a schema change, posts one message: pipeline,
command, what happened and the command that resumes. The hook's address is itself a secret: a
webhook that cannot be reached is a warning that names the status, never the address.
"""

from __future__ import annotations

import logging

import dlt
import httpx

from pipelines.operations.runlog import RunRecord

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


def alert_text(record: RunRecord, resume: str | None = None) -> str | None:
    """The message for ``record``, or None when nothing calls for one."""
    lines = []
    name = f"calven-sync {record.command} of pipeline {record.pipeline_name}"
    if record.status in ("failed", "partial"):
        what = "failed" if record.status == "failed" else "loaded only in part"
        lines.append(f":rotating_light: {name} {what} (exit code {record.exit_code}).")
        if record.failed_windows:
            lines.append(f"Failed windows: {record.failed_windows}.")
        if record.first_error:
            lines.append(f"First error: {record.first_error}")
        if resume:
            lines.append(f"Resume with: `{resume}`")
    if record.schema_changes:
        lines.append(
            f":information_source: {name}: the API added column(s) "
            f"{', '.join(record.schema_changes)}; they are loaded as new columns."
        )
    if not lines:
        return None
    lines.append(f"Run {record.run_id}, started {record.started_at:%Y-%m-%d %H:%M:%S} UTC.")
    return "\n".join(lines)


def send_alert(pipeline: dlt.Pipeline, record: RunRecord, resume: str | None = None) -> bool:
    """Post the alert for ``record`` if it calls for one and a hook is configured; whether a
    message was delivered."""
    hook = pipeline.runtime_config.slack_incoming_hook
    text = alert_text(record, resume)
    if not hook or text is None:
        return False
    try:
        response = httpx.post(str(hook), json={"text": text}, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        problem = f"answered {exc.response.status_code}"
    except httpx.HTTPError as exc:
        problem = f"could not be reached ({type(exc).__name__})"
    else:
        logger.info("alert sent for run %s (%s)", record.run_id, record.status)
        return True
    logger.warning(
        "alert for run %s (%s) not sent: the webhook (runtime.slack_incoming_hook) %s",
        record.run_id,
        record.status,
        problem,
    )
    return False
