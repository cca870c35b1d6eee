"""The fake WeChat and SMS providers' own capacity (issue 20: they must not cap the campaign benchmark).

    python bench/fake_providers.py [--quick] [--seconds 20]

Each fake runs as ``make dev`` runs it (``python -m cheyou_fakes wechat|sms --port N``, one process);
wrk sends template messages (``POST /cgi-bin/message/template/send``, 1,000 openids in turn) and texts
(``POST /sms/send``, 1,000 phone numbers in turn) at 16 and 64 connections. Per run: requests/s, p50/p99,
errors and the fake's CPU milliseconds per message. Target: ≥ 5,000 messages/s on this machine (or as
many instances as that takes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import harness
import httpx
import wrk_harness as h


def _start(fake: str) -> tuple[subprocess.Popen[bytes], str]:
    port = harness.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cheyou_fakes", fake, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/_fake/messages", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the fake {fake} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 s per run")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    seconds = 6.0 if args.quick else args.seconds
    rows: list[str] = []
    loads: list[float] = []
    wechat, wechat_url = _start("wechat")
    sms, sms_url = _start("sms")
    try:
        template = h.wechat_template_requests(wechat_url)
        texts = h.requests_file(
            [
                (
                    "POST",
                    "/sms/send",
                    {"Content-Type": "application/json"},
                    json.dumps(
                        {
                            "PhoneNumbers": f"139{i:08d}",
                            "SignName": "车友会",
                            "TemplateCode": "SMS_BENCH",
                            "TemplateParam": json.dumps({"code": "123456"}),
                        },
                        ensure_ascii=False,
                    ),
                )
                for i in range(1000)
            ]
        )
        for name, process, url, requests in (
            ("fake WeChat, template messages", wechat, wechat_url, template),
            ("fake SMS, texts", sms, sms_url, texts),
        ):
            for connections in (16, 64):
                h.wrk(url + "/", connections=connections, seconds=2, requests=requests)  # warm-up
                pids = h.descendants(process.pid)
                before = h.cpu_seconds(pids)
                run = h.wrk(url + "/", connections=connections, seconds=seconds, requests=requests)
                cpu = (h.cpu_seconds(pids) - before) * 1000 / max(1, run.requests)
                loads.append(h.load_average())
                rows.append(
                    f"| {name} | {connections} | {run.rps:,.0f} | {run.p50_ms:.2f} ms | {run.p99_ms:.2f} ms "
                    f"| {run.errors} | {cpu:.3f} | {loads[-1]:.1f} |"
                )
    finally:
        for process in (wechat, sms):
            process.terminate()
            process.wait(timeout=20)
    body = [
        f"**Machine** {harness.machine()}; {h.verdict(loads)}.",
        "",
        f"**Reproduce**: `.venv/bin/python bench/fake_providers.py{' --quick' if args.quick else ''}`. wrk, "
        f"keep-alive, {seconds:g} s per run; one process per fake, as `make dev` starts it.",
        "",
        "| fake | connections | messages/s | p50 | p99 | errors | fake CPU ms/message | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Target: ≥ 5,000 messages/s. A process serves 1,000 / (CPU ms per message) messages a second at most"
        " on one free core.",
    ]
    path = h.write_result("fakes", "The fake providers' capacity (fake_providers.py)", body)
    print("\n".join(body))  # noqa: T201
    print(f"→ {path}")  # noqa: T201


if __name__ == "__main__":
    main()
