"""A failed run's record and alert, whoever ran it: where the record goes (SALESOPS_FAILURE_LOG),
the webhook message, and the post to SALESOPS_ALERT_WEBHOOK_URL (Slack and Teams take the same
`{"text": ...}` body). A webhook's URL holds its secret: only its scheme and host are ever shown.
orchestration/defs/alerts.py turns a failed Dagster run into the record this module writes.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FAILURE_LOG_VAR = "SALESOPS_FAILURE_LOG"
WEBHOOK_URL_VAR = "SALESOPS_ALERT_WEBHOOK_URL"
FAILURE_LOG_NAME = "run_failures.jsonl"
WEBHOOK_TIMEOUT_SECONDS = 10.0
MAX_TEXT_ERROR_CHARS = 300  # in the webhook message


def redacted(url: str) -> str:
    """What of a webhook URL may be shown: scheme and host (the secret is in path and query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<webhook>"
    return f"{parts.scheme or '?'}://{host}{port}/…"


def alert_text(record: Mapping[str, Any]) -> str:
    """The webhook message: what failed where, and what BI tools see now."""
    where = f" at {record['failed_steps'][0]}" if record.get("failed_steps") else ""
    error = " ".join(str(record.get("error") or "no error message").split())
    if len(error) > MAX_TEXT_ERROR_CHARS:
        error = error[: MAX_TEXT_ERROR_CHARS - 1] + "…"
    published = (
        "the published marts were updated before the failure"
        if record.get("published") else "published marts unchanged"
    )
    first = f"salesops run {record['run_id']} failed{where}: {error}; {published}"
    scope = [f"job {record['job']}"]
    if record.get("partition_range"):
        start, end = record["partition_range"]
        scope.append(f"drops {start} .. {end}")
    elif record.get("partition"):
        scope.append(f"drop {record['partition']}")
    more = len(record.get("failed_steps") or []) - 1
    if more > 0:
        scope.append(f"{more} more failed step(s)")
    scope.append(f"Dagster UI {record['ui_path']}")
    return first + "\n" + ", ".join(scope)


def append_record(path: Path, record: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")


def post_webhook(url: str, text: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> str | None:
    """POST {"text": text} as JSON. None when the webhook accepted it, else what went wrong,
    worded without the URL."""
    if urlsplit(url).scheme not in ("http", "https"):
        return "not an http(s) URL"
    body = json.dumps({"text": text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "salesops"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as e:
        problem = f"HTTP {e.code} {e.reason}"
    except urllib.error.URLError as e:
        problem = f"not reachable ({e.reason})"
    except TimeoutError:
        problem = f"no answer within {timeout:g} s"
    except Exception as e:  # the alert must never take the sensor down
        problem = f"{type(e).__name__}: {e}"
    else:
        return None if 200 <= status < 300 else f"HTTP {status}"
    return problem.replace(url, redacted(url))
