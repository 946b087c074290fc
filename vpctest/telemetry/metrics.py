"""The Prometheus metrics, in the process's default registry (`prometheus_client`).

Names follow Prometheus' conventions: a `vpctest_` prefix, base units, `_total` on counters.
The bot serves them at GET /metrics (bot/serve.py); ops/grafana/vpc-test.json charts them.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DIAGNOSES = Counter(
    "vpctest_diagnoses",
    "Diagnoses finished, by verdict and target type.",
    ["verdict", "target_type"],
)
DIAGNOSIS_SECONDS = Histogram(
    "vpctest_diagnosis_seconds",
    "Time to diagnose one authorization: its cloud reads and its checks.",
    ["target_type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
CLOUD_CALLS = Counter(
    "vpctest_cloud_calls",
    "Alibaba Cloud API calls sent, by product, action and outcome (OK or the error code).",
    ["product", "action", "code"],
)
CLOUD_RETRIES = Counter(
    "vpctest_cloud_retries",
    "Alibaba Cloud API calls sent again, by action and the error that asked for it.",
    ["action", "code"],
)
SLACK_ACK_SECONDS = Histogram(
    "vpctest_slack_ack_seconds",
    "Time from a Slack request's arrival to the bot's answer (Slack allows 3 s).",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3),
)
PENDING_APPROVALS = Gauge(
    "vpctest_fix_requests_pending",
    "Fix requests waiting for an approver's decision.",
)
