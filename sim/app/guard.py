"""The gate in front of the Solara app: what ``cogov app`` answers before Solara sees a request.

- ``Host`` must name an address this server serves: a web page on another site whose name was
  re-pointed at 127.0.0.1 (DNS rebinding) sends its own name and is refused (403).
- ``Origin``, when a browser sends one, must be this server's on websocket upgrades and on
  requests that change state (POST and the like): another site's page cannot open a session
  or close one (403).
- At most ``max_websockets`` websockets at once: Solara runs every websocket in a thread of
  its own, so the next one is refused (503) instead of becoming one more thread.
- Solara's operator pages (``/resourcez``: threads, kernels, sessions; ``/readyz``) are not
  served (404).

Plain HTTP connections are limited by uvicorn (``limit_concurrency``: 503 beyond it).
"""

from __future__ import annotations

import ipaddress
import socket

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Solara's pages for operators and monitoring; the page itself never asks for them
INTERNAL_PATHS = frozenset({"/resourcez", "/readyz"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")


def _machine_addresses() -> set[str]:
    """The names and addresses of this machine (for a server bound to every interface)."""
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        import psutil
        for addrs in psutil.net_if_addrs().values():
            names.update(a.address.split("%")[0] for a in addrs
                         if a.family in (socket.AF_INET, socket.AF_INET6))
    except ImportError:  # psutil is optional: the host name's addresses then
        try:
            names.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
        except OSError:
            pass
    return names


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Every ``Host`` header value that names this server: ``name:port`` for the bound
    address, the loopback names when bound to loopback, this machine's names and addresses
    when bound to every interface, and the operator's ``--allow-host`` names."""
    names = {host, *extra}
    if host in WILDCARDS:
        names |= {*LOOPBACK_NAMES, *_machine_addresses()}
    elif _is_loopback(host) or _resolves_to_loopback(host):
        names |= set(LOOPBACK_NAMES)
    out = set()
    for name in names:
        if not name or name in WILDCARDS:
            continue
        name = name.lower().strip("[]")
        shown = f"[{name}]" if ":" in name else name
        out.add(f"{shown}:{port}")
        if port == 80:  # browsers leave the default port out
            out.add(shown)
    return frozenset(out)


def _resolves_to_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


class Guard:
    """ASGI middleware: refuse foreign ``Host``/``Origin``, internals and excess websockets."""

    def __init__(self, app, hosts: frozenset[str], max_websockets: int):
        self.app = app
        self.hosts = hosts
        self.origins = frozenset(f"http://{h}" for h in hosts)
        self.max_websockets = max_websockets
        self.websockets = 0  # open now (one event loop: no lock needed)

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers: dict[bytes, list[bytes]] = {}
        for k, v in scope.get("headers", ()):
            headers.setdefault(k.lower(), []).append(v)
        hosts = headers.get(b"host", [])
        if len(hosts) != 1 or hosts[0].decode("latin-1").lower() not in self.hosts:
            return await _refuse(scope, receive, send, 403, "unknown Host: this server answers "
                                 "only to the addresses it serves")
        origins = headers.get(b"origin", [])
        changes_state = kind == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
        if changes_state and any(o.decode("latin-1").lower() not in self.origins for o in origins):
            return await _refuse(scope, receive, send, 403, "request from another site refused")
        if scope.get("path", "").rstrip("/") in INTERNAL_PATHS:
            return await _refuse(scope, receive, send, 404, "not found")
        if kind == "http":
            return await self.app(scope, receive, send)
        if self.websockets >= self.max_websockets:
            return await _refuse(scope, receive, send, 503, "server busy: too many connections; "
                                 "try again in a few minutes")
        self.websockets += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.websockets -= 1


async def _refuse(scope, receive, send, status: int, text: str) -> None:
    """Answer with ``status`` and one line (a websocket upgrade: the same as its HTTP answer)."""
    kind = scope["type"]
    body = (text + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]
    if kind == "http":
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await receive()  # websocket.connect
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})  # uvicorn answers 403
        return
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})
