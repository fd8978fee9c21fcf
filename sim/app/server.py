"""``cogov app``: serve the browser page (Solara) on loopback, offline, telemetry off.

The page's front-end files come from the folder :mod:`sim.app.assets` fills at setup; the
server is told to serve them itself and never to fetch anything at run time.
"""

from __future__ import annotations

import ipaddress
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


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, max_sessions: int | None = None,
          quiet: bool = False, idle_timeout: float | None = None,
          model_seconds: float | None = None) -> None:
    configure(max_sessions, idle_timeout, model_seconds)
    import uvicorn
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    if not quiet:
        shown = f"[{host}]" if ":" in host else host
        print(f"cogov app: open http://{shown}:{port}/  (Ctrl-C stops it)", flush=True)
    server.run()


def cmd_app(args) -> int:
    problem = check_dependencies()
    if problem:
        print(f"error: cannot start the app: {problem}", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}, not loopback: anyone who can reach this machine "
              "can open the page and run models on it", file=sys.stderr)
    if not 1 <= args.port <= 65535:
        print(f"error: --port must be 1-65535, got {args.port}", file=sys.stderr)
        return 2
    if not args.idle_timeout > 0 or not args.model_seconds > 0:
        print("error: --idle-timeout and --model-seconds must be positive", file=sys.stderr)
        return 2
    from ..cli import detail
    detail(f"app: host {args.host}, port {args.port}, at most {args.max_sessions} sessions, "
           f"idle timeout {args.idle_timeout:g} s, model time {args.model_seconds:g} s a visitor")
    try:
        serve(args.host, args.port, args.max_sessions, idle_timeout=args.idle_timeout,
              model_seconds=args.model_seconds)
    except KeyboardInterrupt:
        pass
    return 0


def add_parser(sub) -> None:
    from ..cli import add_command
    from .session import MAX_COMPUTE_SECONDS, MAX_SESSIONS_DEFAULT
    a = add_command(sub, "app", "serve the browser view (http://127.0.0.1:8765/)",
                    "Serve the browser view of the model on this machine.",
                    ("cogov app", "cogov app --port 8800 --max-sessions 4"))
    a.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to bind (default {DEFAULT_HOST}, this machine only)")
    a.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    a.add_argument("--max-sessions", type=int, default=MAX_SESSIONS_DEFAULT,
                   help=f"visitors served at once; the next sees 'server busy' "
                        f"(default {MAX_SESSIONS_DEFAULT})")
    a.add_argument("--idle-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="free a closed tab's models after this many seconds (default 60)")
    a.add_argument("--model-seconds", type=float, default=MAX_COMPUTE_SECONDS, metavar="SECONDS",
                   help="model time one visitor may use: every Reset (with its spin-up), Step, "
                        f"Run and replication together (default {MAX_COMPUTE_SECONDS:.0f})")
    a.set_defaults(func=cmd_app)
