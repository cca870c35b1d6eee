"""The sender's settings were ``NOTIFY_DISPATCH_*`` ("dispatch" is merchant-svc's word for assigning a
fulfilment): a running deployment's environment keeps its meaning under the new names."""

import pytest
from notify_svc.config import Settings

OLD = {
    "NOTIFY_DISPATCH_ENABLED": "false",
    "NOTIFY_DISPATCH_BATCH": "7",
    "NOTIFY_DISPATCH_CONCURRENCY": "3",
    "NOTIFY_DISPATCH_IDLE_SECONDS": "1.5",
}


def test_the_old_dispatch_variables_still_set_the_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in OLD.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (settings.send_enabled, settings.send_batch, settings.send_concurrency) == (False, 7, 3)
    assert settings.send_idle_seconds == 1.5


def test_the_new_variable_wins_when_both_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_DISPATCH_BATCH", "7")
    monkeypatch.setenv("NOTIFY_SEND_BATCH", "9")
    assert Settings().send_batch == 9
    assert Settings().env_name("send_batch") == "NOTIFY_SEND_BATCH"
