"""The run-failure sensor: a real failed run (in an ephemeral instance) is recorded as a JSON line
and, when a webhook URL is set, posted to a local HTTP server; a webhook that fails, is down or
doesn't answer changes nothing but a warning, and the URL's secret is never written anywhere."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator

import dagster as dg
import pytest

from orchestration.defs.alerts import ALERTS_BY_CALLER, ALERTS_TAG, build_run_failure_sensor
from salesops.alerts import FAILURE_LOG_VAR, WEBHOOK_URL_VAR, post_webhook
from salesops.settings import Settings

SECRET = "XOXB-S3CR3T-T0K3N"
REASON = (
    "drop crm/2026-10-31 failed: crm/2026-10-31/Opportunity.csv, column 'StageName': "
    "missing required column 'StageName'"
)
DROP_DATES = dg.DailyPartitionsDefinition(start_date="2026-10-01", end_offset=1)


# A stand-in for the pipeline's ingestion: partitioned by drop date, failing like a bad drop.
@dg.asset(name="ingest_crm", partitions_def=DROP_DATES,
          backfill_policy=dg.BackfillPolicy.single_run())
def failing_ingest_crm() -> None:
    raise dg.Failure(description=REASON)


@dg.asset(name="kpi_win_rate", deps=[failing_ingest_crm])
def never_built_mart() -> None:
    pass


def fail(**tags: str):
    """A failed run over the drops 2026-10-30 .. 2026-10-31, and its run-failure event."""
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [failing_ingest_crm, never_built_mart],
        instance=instance,
        raise_on_error=False,
        tags={"dagster/asset_partition_range_start": "2026-10-30",
              "dagster/asset_partition_range_end": "2026-10-31", **tags},
    )
    assert not result.success
    return instance, result.dagster_run, result.get_run_failure_event()


@pytest.fixture(scope="module")
def failed_run():
    return fail()


def evaluate_sensor(failed_run) -> None:
    """The sensor of the settings in the environment now, on the failed run."""
    run_failure_sensor = build_run_failure_sensor(Settings.from_env())
    instance, run, event = failed_run
    context = dg.build_run_status_sensor_context(
        sensor_name=run_failure_sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event,
    ).for_run_failure()
    run_failure_sensor(context)


class Webhook:
    """A local HTTP server that keeps what is posted to it and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": json.loads(body)})
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T0/B0/{SECRET}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(monkeypatch) -> Iterator[Webhook]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    hook = Webhook()
    try:
        yield hook
    finally:
        hook.close()


@pytest.fixture
def failure_log(tmp_path, monkeypatch):
    path = tmp_path / "alerts" / "failures.jsonl"
    monkeypatch.setenv(FAILURE_LOG_VAR, str(path))
    monkeypatch.delenv(WEBHOOK_URL_VAR, raising=False)
    return path


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_failed_run_is_recorded_and_posted(failed_run, webhook, failure_log, monkeypatch,
                                             capfd):
    _, run, _ = failed_run
    monkeypatch.setenv(WEBHOOK_URL_VAR, webhook.url)
    evaluate_sensor(failed_run)
    sensor_log = capfd.readouterr().err

    [record] = records(failure_log)
    assert record["run_id"] == run.run_id
    assert record["job"] == run.job_name
    assert record["partition_range"] == ["2026-10-30", "2026-10-31"]
    assert record["failed_steps"] == ["ingest_crm"]
    assert record["error"] == REASON
    assert record["published"] is False
    assert record["ui_path"] == f"/runs/{run.run_id}"
    assert record["time"].startswith("20") and record["time"].endswith("+00:00")

    [posted] = webhook.requests
    assert posted["path"].endswith(SECRET)
    assert posted["headers"]["Content-Type"].startswith("application/json")
    assert list(posted["body"]) == ["text"]
    text = posted["body"]["text"]
    first, second = text.splitlines()
    assert first == (f"salesops run {run.run_id} failed at ingest_crm: {REASON}; "
                     "published marts unchanged")
    assert "drops 2026-10-30 .. 2026-10-31" in second and f"/runs/{run.run_id}" in second
    assert "posted to the webhook at http://127.0.0.1:" in sensor_log
    assert SECRET not in failure_log.read_text()
    assert SECRET not in sensor_log


def test_without_a_webhook_the_failure_is_only_recorded_next_to_the_warehouse(
        failed_run, webhook, tmp_path, monkeypatch):
    monkeypatch.delenv(FAILURE_LOG_VAR, raising=False)
    monkeypatch.delenv(WEBHOOK_URL_VAR, raising=False)
    monkeypatch.setenv("SALESOPS_WAREHOUSE", str(tmp_path / "wh" / "warehouse.duckdb"))
    evaluate_sensor(failed_run)
    [record] = records(tmp_path / "wh" / "run_failures.jsonl")
    assert record["failed_steps"] == ["ingest_crm"]
    assert webhook.requests == []


@pytest.mark.parametrize("trouble", ["HTTP 500", "not listening"])
def test_a_failing_webhook_is_a_warning_and_the_failure_is_still_recorded(
        failed_run, webhook, failure_log, monkeypatch, capfd, trouble):
    if trouble == "HTTP 500":
        webhook.status = 500
        url = webhook.url
    else:
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}/services/T0/B0/{SECRET}"
    monkeypatch.setenv(WEBHOOK_URL_VAR, url)
    evaluate_sensor(failed_run)  # does not raise
    sensor_log = capfd.readouterr().err
    [record] = records(failure_log)
    assert record["error"] == REASON
    [warning] = [line for line in sensor_log.splitlines() if " - WARNING - " in line]
    assert "could not be posted to the webhook at http://127.0.0.1:" in warning
    if trouble == "HTTP 500":
        assert "HTTP 500" in warning
        assert len(webhook.requests) == 1
    else:
        assert "Connection refused" in warning
    assert SECRET not in sensor_log
    assert SECRET not in failure_log.read_text()


def test_a_run_whose_caller_alerts_is_left_to_it(webhook, failure_log, monkeypatch):
    monkeypatch.setenv(WEBHOOK_URL_VAR, webhook.url)
    evaluate_sensor(fail(**{ALERTS_TAG: ALERTS_BY_CALLER}))
    assert not failure_log.exists() and webhook.requests == []


def test_a_webhook_that_never_answers_times_out_without_raising():
    with socket.socket() as s:  # accepts connections (backlog) but never answers
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        url = f"http://127.0.0.1:{s.getsockname()[1]}/hook/{SECRET}"
        started = time.monotonic()
        problem = post_webhook(url, "hello", timeout=0.5)
    assert problem is not None and SECRET not in problem
    assert time.monotonic() - started < 5


def test_the_sensor_is_registered_and_on_by_default():
    from orchestration.definitions import defs

    [sensor] = [s for s in defs().sensors if s.name == "run_failure_sensor"]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
