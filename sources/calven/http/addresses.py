"""Which base URLs credentials may be sent to: https anywhere, plain http to loopback only."""

from __future__ import annotations

import ipaddress

import httpx

from sources.calven.errors import ConfigError


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """The base URL without a trailing slash; ConfigError unless https or http to loopback."""
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"base_url '{base_url}' must be an http(s) URL with a host")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ConfigError(
            f"base_url '{base_url}' uses http:// to a host that is not loopback; credentials "
            "would travel in clear. Use https:// or set allow_insecure_http"
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
