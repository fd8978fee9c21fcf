"""``cogov app``: serve the browser page (Solara) on loopback, offline, telemetry off.

The page's front-end files come from the folder :mod:`sim.app.assets` fills at setup; the
server is told to serve them itself and never to fetch anything at run time.
"""

from __future__ import annotations

import errno
import gc
import ipaddress
import math
import os
import socket
import sys

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
INSTALL = 'pip install -e ".[app]"  (or: make app)'
# Solara's defaults we change, and why:
SETTINGS = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports leave the machine
    "SOLARA_ASSETS_PROXY": "True",                # the page loads its bundles from this server
    # a missing bundle fails at once instead of being fetched from the internet
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
    "SOLARA_ASSETS_FONTAWESOME_ENABLED": "True",
    "SOLARA_KERNEL_CULL_TIMEOUT": "60s",          # a closed tab's model is freed after a minute
                                                  # (cogov app --idle-timeout)
    "SOLARA_MODE": "production",
    "SOLARA_CHECK_VERSION": "False",              # no version look-up on the network
}


def check_dependencies() -> str | None:
    """What is missing to serve the page, with the command that installs it (None: ready)."""
    from importlib import metadata
    problems = []
    for dist, need_major_below in (("solara", None), ("ipyvue", 2), ("ipyvuetify", 2)):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            problems.append(f"{dist} is not installed")
            continue
        if need_major_below and int(version.split(".")[0]) >= need_major_below:
            problems.append(f"{dist} {version} is installed; the page needs {dist}<{need_major_below} "
                            "(Vue 2 widgets: with 3.x the charts fail in the browser)")
    if problems:
        return "; ".join(problems) + f". Install with: {INSTALL}"
    from .assets import missing
    gone = missing()
    if gone:
        return (f"the page's front-end files are missing ({', '.join(gone)}). Fetch them with: "
                f"{sys.executable} -m sim.app.assets  (or: make app)")
    return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except OSError:
            return False


def configure(max_sessions: int | None = None, idle_timeout: float | None = None,
              model_seconds: float | None = None) -> None:
    """Set Solara's settings (before solara is imported) and the app module it serves."""
    os.environ.pop("HOST", None)  # Solara reads HOST as a default bind address; we pass ours
    for k, v in SETTINGS.items():
        os.environ[k] = v
    os.environ["SOLARA_APP"] = "sim.app.page"
    if max_sessions is not None:
        os.environ["COGOV_APP_MAX_SESSIONS"] = str(max_sessions)
    if idle_timeout is not None:
        os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = f"{idle_timeout:g}s"
    if model_seconds is not None:
        os.environ["COGOV_APP_MODEL_SECONDS"] = f"{model_seconds:g}"


def warm_up() -> None:
    """Before the server listens: import the page and spin up the default page's model
    (baseline, seed 1), so that a cold server's first visitor gets a copy of it in well
    under a second instead of waiting for imports, compiled kernels and the spin-up."""
    from .page import Page  # noqa: F401  (solara, the model, numba's cached kernels)
    from .session import Session, Setup
    Session(Setup()).close()
    # what is loaded now lives as long as the server: out of the cyclic collector's sight, so
    # that freeing a visitor's old model (its agents hold cycles) scans only the models, not
    # every library object (a Reset at 5,000 adults: 0.6 s -> 0.12 s, benchmarks/README.md)
    gc.collect()
    gc.freeze()


async def _get(app, path: str, port: int = DEFAULT_PORT) -> tuple[int, str | None]:
    """(status, content-encoding) of a GET of ``path`` from the ASGI ``app``, in process."""
    out: dict = {}
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "scheme": "http", "http_version": "1.1", "root_path": "",
             "headers": [(b"accept-encoding", b"gzip, deflate, br"), (b"host", b"127.0.0.1")],
             "server": ("127.0.0.1", port), "client": ("127.0.0.1", 1), "asgi": {"version": "3.0"}}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["encoding"] = dict(message["headers"]).get(b"content-encoding", b"").decode() or None
    await app(scope, receive, send)
    return out.get("status", 0), out.get("encoding")


def compress_first_page(app) -> dict[str, tuple[int, str | None]]:
    """Ask the app for the front-end files of the first page (assets.FIRST_PAGE_FILES), so
    that Solara compresses each now, once (it keeps them in memory), not while the first
    visitor waits: 0.2 s of CPU on an idle core, several seconds on a loaded machine."""
    import asyncio

    from .assets import FIRST_PAGE_FILES

    async def each():
        return {path: await _get(app, path) for path in FIRST_PAGE_FILES}
    return asyncio.run(each())


MAX_CONNECTIONS_DEFAULT = 64


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced (OSError: cannot bind).
    A name with several addresses (localhost: 127.0.0.1 and ::1) gets the first that binds."""
    first_error = None
    for family, kind, proto, _, addr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                           flags=socket.AI_PASSIVE):
        sock = socket.socket(family, kind, proto)
        try:
            # as uvicorn does: a restart may reuse a port in TIME_WAIT (on Linux never one
            # that another server is listening on)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(addr)
            sock.listen(2048)
            return sock
        except OSError as exc:
            sock.close()
            first_error = first_error or exc
    raise first_error or OSError(f"no address for {host}")


def serve(sock: socket.socket, host: str, port: int, max_sessions: int | None = None,
          quiet: bool = False, idle_timeout: float | None = None,
          model_seconds: float | None = None, max_connections: int = MAX_CONNECTIONS_DEFAULT,
          allow_hosts: tuple[str, ...] = ()) -> None:
    """Serve the page on ``sock`` (from :func:`bind`) behind :class:`sim.app.guard.Guard`;
    the URL is printed once the server accepts requests."""
    configure(max_sessions, idle_timeout, model_seconds)
    if not quiet:
        print("cogov app: preparing the first page (imports and the baseline's spin-up)",
              flush=True)
    import threading
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    from solara.server.starlette import app as solara_app

    # the bundles are compressed meanwhile (zlib leaves the lock to the imports and the model)
    compressing = threading.Thread(target=compress_first_page, args=(solara_app,),
                                   name="cogov-compress", daemon=True)
    compressing.start()
    warm_up()
    compressing.join()
    import uvicorn

    from .guard import Guard, allowed_hosts
    app = Guard(solara_app, allowed_hosts(host, port, allow_hosts), max_websockets=max_connections)
    # limit_concurrency: plain HTTP beyond this many connections gets 503 (websockets are
    # counted by the Guard); no proxy in front, so no X-Forwarded-* header is believed
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            limit_concurrency=max_connections, proxy_headers=False)
    shown = f"[{host}]" if ":" in host else host
    message = None if quiet else f"cogov app: open http://{shown}:{port}/  (Ctrl-C stops it)"

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started and message:
                print(message, flush=True)

    Server(config).run(sockets=[sock])


def _check_flags(args) -> str | None:
    """The first nonsensical limit, as a one-line message (None: all sensible)."""
    if not 1 <= args.port <= 65535:
        return f"--port must be 1-65535, got {args.port}"
    if args.max_sessions < 1:
        return f"--max-sessions must be at least 1, got {args.max_sessions}"
    if args.max_connections < 1:
        return f"--max-connections must be at least 1, got {args.max_connections}"
    if args.max_sessions > args.max_connections:
        return (f"--max-sessions ({args.max_sessions}) cannot exceed --max-connections "
                f"({args.max_connections}): every visitor holds a connection")
    for flag, value in (("--idle-timeout", args.idle_timeout),
                        ("--model-seconds", args.model_seconds)):
        if not (math.isfinite(value) and value > 0):
            return f"{flag} must be a positive finite number of seconds, got {value:g}"
    return None


def cmd_app(args) -> int:
    problem = _check_flags(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    problem = check_dependencies()
    if problem:
        print(f"error: cannot start the app: {problem}", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}, not loopback: anyone who can reach this machine "
              "can open the page and run models on it", file=sys.stderr)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        hint = " (another server uses it: choose another --port)" \
            if exc.errno == errno.EADDRINUSE else ""
        print(f"error: cannot listen on {args.host} port {args.port}: "
              f"{exc.strerror or exc}{hint}", file=sys.stderr)
        return 2
    if getattr(args, "verbosity", 0) > 0:  # -v
        print(f"app: host {args.host}, port {args.port}, at most {args.max_sessions} sessions, "
              f"{args.max_connections} connections, idle timeout {args.idle_timeout:g} s, model "
              f"time {args.model_seconds:g} s a visitor", file=sys.stderr)
    try:
        serve(sock, args.host, args.port, args.max_sessions, idle_timeout=args.idle_timeout,
              model_seconds=args.model_seconds, max_connections=args.max_connections,
              allow_hosts=tuple(args.allow_host or ()))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
