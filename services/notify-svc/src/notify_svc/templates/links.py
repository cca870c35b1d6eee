"""A template's link as a member follows it: the inbox keeps ``/h5/…`` (the H5 routes it), a WeChat message
and a text need the whole address, made with the public base URL (``NOTIFY_PUBLIC_BASE_URL``)."""

from __future__ import annotations


def absolute(link: str | None, public_base_url: str) -> str | None:
    """``/h5/claims/new`` → ``https://club.example/h5/claims/new``; an absolute link stays as it is."""
    if not link:
        return None
    return f"{public_base_url.rstrip('/')}{link}" if link.startswith("/") else link
