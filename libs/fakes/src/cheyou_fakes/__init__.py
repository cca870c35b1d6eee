"""Fake third-party servers (WeChat, SMS provider) speaking their real HTTP contracts.

``running(app)`` serves an app with uvicorn on a free port in a background thread and yields its base URL.
"""

from cheyou_fakes.server import running

__all__ = ["running"]
