"""Prometheus series the deploy team's alerts use (``deploy/k8s/base/observability/prometheusrule.yaml``)."""

from prometheus_client import Counter, Gauge

WEBHOOK_DELIVERIES = Counter(
    "cheyou_webhook_deliveries",
    "Webhook delivery attempts by merchant and outcome (success: a 2xx; failure: anything else).",
    ["merchant", "outcome"],
)
WEBHOOK_ENDPOINT_DISABLED = Gauge(
    "cheyou_webhook_endpoint_disabled",
    "1 while one of the merchant's webhook endpoints is disabled.",
    ["merchant"],
)
