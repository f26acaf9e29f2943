"""Refuse webhook URLs that could reach Doorstep's own network (SSRF).

A URL is acceptable only if its scheme is https (http only with DOORSTEP_WEBHOOKS_ALLOW_HTTP) and
EVERY address its host resolves to is public: no loopback (unless DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK),
private, link-local, CGNAT, multicast, reserved or cloud-metadata address. Checked when an endpoint is
saved and again before each send; the sender then connects to the resolved, re-checked address
(requests-hardened pins the IP), so DNS answers that change in between cannot slip through."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_EXTRA_BLOCKED = [ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",  # carrier-grade NAT (and Alibaba's metadata service at 100.100.100.200)
    "169.254.0.0/16",  # link-local, incl. the AWS/GCP/Azure metadata address 169.254.169.254
    "192.0.0.0/24", "192.88.99.0/24", "198.18.0.0/15",  # IETF assignments, 6to4 relay, benchmarking
    "fd00:ec2::254/128",  # AWS IPv6 metadata
    "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16",  # NAT64 / 6to4 can wrap private IPv4 addresses
)]


class UnsafeURL(ValueError):
    pass


def address_problem(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why ``ip`` may not be called, or None if it is a public address."""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    for label, flag in (("unspecified", ip.is_unspecified), ("link-local", ip.is_link_local),
                        ("multicast", ip.is_multicast), ("private", ip.is_private), ("reserved", ip.is_reserved)):
        if flag:
            return label
    if any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version):
        return "special-purpose"
    if not ip.is_global:
        return "not globally routable"
    return None


def vet_url(url: str) -> list[IPAddress]:
    """Resolve and check ``url``; returns its addresses or raises UnsafeURL with a reason a merchant
    can act on."""
    allow_http = settings.DOORSTEP_WEBHOOKS_ALLOW_HTTP
    allow_loopback = settings.DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(f"Not a valid URL: {exc}") from None
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_http):
        raise UnsafeURL("The URL must use https.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeURL("Credentials in the URL are not allowed; authenticate with the signature.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"Could not resolve {parts.hostname}.") from None
    addresses = []
    for *_ignored, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        problem = address_problem(ip, allow_loopback=allow_loopback)
        if problem:
            raise UnsafeURL(f"{parts.hostname} resolves to a {problem} address ({ip}); only public addresses "
                            "may receive webhooks.")
        addresses.append(ip)
    if not addresses:
        raise UnsafeURL(f"Could not resolve {parts.hostname}.")
    return addresses
