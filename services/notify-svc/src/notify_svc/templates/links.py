"""A template's link as a member follows it: the inbox keeps ``/h5/…`` (the H5 routes it), a WeChat message
and a text need the whole address, made with the public base URL configured at app start."""

from __future__ import annotations

_base = "http://127.0.0.1:8080"


def configure(public_base_url: str) -> None:
    global _base
    _base = public_base_url.rstrip("/")


def absolute(link: str | None) -> str | None:
    """``/h5/claims/new`` → ``https://club.example/h5/claims/new``; an absolute link stays as it is."""
    if not link:
        return None
    return f"{_base}{link}" if link.startswith("/") else link
