"""``cogov app``: serve the browser view (the server is :mod:`sim.app.server`)."""

from __future__ import annotations

from ..app.server import DEFAULT_HOST, DEFAULT_PORT, MAX_CONNECTIONS_DEFAULT, cmd_app
from ..app.session import MAX_COMPUTE_SECONDS, MAX_SESSIONS_DEFAULT
from .common import add_command


def add_parser(sub) -> None:
    a = add_command(sub, "app", "serve the browser view (http://127.0.0.1:8765/)",
                    "Serve the browser view on this machine (loopback), offline.",
                    ("cogov app --port 8765",))
    a.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to bind (default {DEFAULT_HOST}, this machine only)")
    a.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    a.add_argument("--max-sessions", type=int, default=MAX_SESSIONS_DEFAULT,
                   help=f"visitors served at once; the next sees 'server busy' "
                        f"(default {MAX_SESSIONS_DEFAULT})")
    a.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS_DEFAULT,
                   help="connections served at once (page loads and open tabs); beyond it the "
                        f"server answers 503 (default {MAX_CONNECTIONS_DEFAULT})")
    a.add_argument("--allow-host", action="append", metavar="NAME",
                   help="another name visitors use for this server (e.g. behind a proxy); "
                        "requests naming any other host are refused (repeatable)")
    a.add_argument("--idle-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="free a closed tab's models after this many seconds (default 60)")
    a.add_argument("--model-seconds", type=float, default=MAX_COMPUTE_SECONDS, metavar="SECONDS",
                   help="model time one visitor may use: every Reset (with its spin-up), Step, "
                        f"Run and replication together (default {MAX_COMPUTE_SECONDS:.0f})")
    a.set_defaults(func=cmd_app)
