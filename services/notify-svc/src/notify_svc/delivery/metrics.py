"""``cheyou_notifications_sent_total{channel,outcome}``: the deploy team's alerts watch it."""

from prometheus_client import Counter

NOTIFICATIONS_SENT = Counter(
    "cheyou_notifications_sent",
    "Messages handed to a channel, by outcome: sent, delivered, failed, fallback, skipped, retried.",
    ["channel", "outcome"],
)


def count(channel: str, outcome: str, amount: int = 1) -> None:
    NOTIFICATIONS_SENT.labels(channel=channel, outcome=outcome).inc(amount)
