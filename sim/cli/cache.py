"""``cogov cache``: the spin-up cache (:mod:`sim.spinup`): its folder, entries and size;
``clear`` empties it."""

from __future__ import annotations

from .. import spinup
from .common import add_command, info


def add_parser(sub) -> None:
    p = add_command(sub, "cache", "list or clear the spin-up cache (settled communities kept "
                    "between commands)",
                    examples=("cogov cache", "cogov cache clear"))
    p.add_argument("action", nargs="?", choices=("list", "clear", "path"), default="list",
                   help="list the entries (default), remove them all, or print the folder")
    p.set_defaults(func=cache_command)


def cache_command(args) -> int:
    folder = spinup.directory()
    if args.action == "path":
        print(folder)
        return 0
    if args.action == "clear":
        n = spinup.clear()
        info(f"removed {n} cached spin-up{'s' if n != 1 else ''} from {folder}")
        return 0
    entries = spinup.entries()
    total = sum(e["bytes"] for e in entries)
    info(f"spin-up cache: {folder}  ({len(entries)} entries, {total / 1e6:.1f} MB of "
         f"{spinup.disk_limit_mb():.0f} MB; COGOV_CACHE_MAX_MB sets the limit)")
    if entries:
        info(f"{'key':<12} {'first built by':<28} {'communities x residents':>24} {'seed':>10} "
             f"{'spin-up':>8} {'MB':>7}  last used")
        for e in entries:
            size = f"{e.get('communities', '?')} x {e.get('residents_per_community', '?')}"
            info(f"{e['key'][:12]:<12} {str(e.get('scenario', '?'))[:28]:<28} {size:>24} "
                 f"{e.get('seed', '?'):>10} {e.get('spin_up_days', '?'):>8} "
                 f"{e['bytes'] / 1e6:>7.1f}  {e['last_used']}")
    return 0
