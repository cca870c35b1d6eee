"""``python -m cheyou_fakes wechat|sms|wechatpay --port N``: run one fake in the foreground (``make dev``).

``wechatpay --keys DIR``: the merchant's credentials and the fake's platform key, generated in ``DIR`` on
first start (``DIR/credentials.json`` says which file is which, for the service's settings)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cheyou_fakes import sms, wechat, wechatpay
from cheyou_fakes.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cheyou_fakes", description=__doc__)
    parser.add_argument("fake", choices=["wechat", "sms", "wechatpay"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keys", type=Path, help="wechatpay: where its keys live (generated if missing)")
    arguments = parser.parse_args()
    if arguments.fake == "wechatpay":
        credentials = None
        if arguments.keys:
            credentials = wechatpay.DevCredentials.load_or_generate(
                arguments.keys,
                mchid=os.environ.get("WECHATPAY_MCHID", wechatpay.DEFAULT_MCHID),
                appid=os.environ.get("WECHAT_APPID", wechatpay.DEFAULT_APPID),
            )
        app = wechatpay.create_app(credentials)
    else:
        app = wechat.create_app() if arguments.fake == "wechat" else sms.create_app()
    serve(app, arguments.host, arguments.port)


if __name__ == "__main__":
    main()
