"""``python -m cheyou_fakes wechat|sms --port N``: run one fake in the foreground (``make dev``)."""

from __future__ import annotations

import argparse

from cheyou_fakes import sms, wechat
from cheyou_fakes.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cheyou_fakes", description=__doc__)
    parser.add_argument("fake", choices=["wechat", "sms"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    arguments = parser.parse_args()
    app = wechat.create_app() if arguments.fake == "wechat" else sms.create_app()
    serve(app, arguments.host, arguments.port)


if __name__ == "__main__":
    main()
