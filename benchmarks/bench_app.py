"""The browser view's speed, through a real browser (Playwright + system Chromium).

    .venv/bin/python benchmarks/bench_app.py [--residents 5000]

Starts ``cogov app`` on a free loopback port and times, from the browser's side: the first
chart of a cold server (a fresh server process each time: from the first request, once it
listens, to the first chart; and the start itself, which prepares the first page), the
first render (warm: the second page load), Reset at N residents (a new seed each time, so a
full spin-up of ``run.spin_up_days`` in a spin-up cache of the benchmark's own; then a lever
change, which reuses the kept spin-up; then the seed of the round before, which the cache holds),
Step until the page shows the next day, and Run to day 365 with the charts redrawing live.
``--big 100000`` adds one Reset and one year at that population.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _run_a_year(page, timeout: int) -> float:
    """Seconds from clicking "run to day 365" until the page shows day 365."""
    box = page.get_by_label("run to day", exact=True)
    box.fill("365")
    box.press("Enter")
    t = time.perf_counter()
    page.locator(".cogov-run-to").click()
    page.wait_for_selector(".cogov-day:text-is('Day 365')", timeout=timeout)
    return time.perf_counter() - t


def _reset_to_seed(page, seed: int, residents: int) -> float:
    """Seconds from clicking Reset until the page shows the model of ``seed`` (entered)."""
    t = time.perf_counter()
    page.locator(".cogov-reset").click()
    page.wait_for_selector(f"text=seed {seed}, {residents:,} residents", timeout=600_000)
    return time.perf_counter() - t


def _server(port: int, warm_cache: bool = True) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "HOST"}
    if not warm_cache:
        env["COGOV_NO_CACHE"] = "1"
    return subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _wait_ready(server: subprocess.Popen) -> None:
    """Until the server says it serves (it binds its port first, then prepares the first
    page: a connection before that waits in the queue)."""
    for line in server.stdout:
        if line.startswith("cogov app: open"):
            return
    raise SystemExit("the server stopped before it served")


def _wait_listening(port: int, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the server did not listen within {limit:.0f} s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc): on a loaded
    machine the wall time says how busy the machine was, the CPU time what the work costs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold_starts(browser, repeat: int, results: dict, warm_cache: bool = True) -> None:
    """A new server each time: its start (until it listens) and its first visitor's first
    chart (from the request to the first drawn chart), the browser already running; wall
    time and the server's CPU time for each. ``warm_cache`` False: the spin-up cache is off
    (COGOV_NO_CACHE=1), as on a server's first start after a code change."""
    cache = "" if warm_cache else ", spin-up cache off"
    for _ in range(repeat):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        t = time.perf_counter()
        server = _server(port, warm_cache)
        try:
            _wait_ready(server)
            results.setdefault(f"server start (until it serves; prepares the first page{cache})",
                               []).append(time.perf_counter() - t)
            cpu = cpu_seconds(server.pid)
            results.setdefault(f"server start, server CPU{cache}", []).append(cpu)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("svg.cogov-chart", timeout=120_000)
            results.setdefault(f"first chart of a cold server (first request, 5,000 residents{cache})",
                               []).append(time.perf_counter() - t)
            results.setdefault(f"first chart of a cold server, server CPU{cache}", []).append(
                cpu_seconds(server.pid) - cpu)
            page.close()
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big", type=int, default=0, help="also a Reset and a year at this population")
    ap.add_argument("--cold-only", action="store_true", help="only the cold server's first chart")
    args = ap.parse_args()
    if args.cold_only:
        load_before = os.getloadavg()
        results: dict = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            cold_starts(browser, args.repeat, results)
            cold_starts(browser, 1, results, warm_cache=False)
            browser.close()
        _report(load_before, results)
        return
    load_before = os.getloadavg()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # a spin-up cache of its own, empty at the start: a "new seed" is then a full spin-up
    # however often the benchmark ran before with the same code (the user's cache would hold
    # seeds 100, 101, ... after the first run and time a restore instead)
    cache_dir = tempfile.TemporaryDirectory(prefix="cogov-bench-cache-")
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "COGOV_NO_CACHE")}
    env["COGOV_CACHE_DIR"] = cache_dir.name
    server = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port)], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            results = {}
            cold_starts(browser, args.repeat, results)
            for i in range(args.repeat + 1):  # the first load warms the server
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                t = time.perf_counter()
                page.goto(url)  # the default scenario, baseline: 5,000 residents
                page.wait_for_selector("svg.cogov-chart")
                if i:
                    results.setdefault("first render (warm, 5,000 residents)", []).append(
                        time.perf_counter() - t)
                page.goto(url + "?set=population.residents_per_community%3D1000")
                page.wait_for_selector("svg.cogov-chart")
                box = page.get_by_label("residents per community", exact=True)
                box.fill(str(args.residents))
                box.press("Enter")
                seed = page.get_by_label("seed", exact=True)
                seed.fill(str(100 + i))  # a seed not seen before: a full spin-up
                seed.press("Enter")
                page.wait_for_selector("text=take effect at Reset")
                results.setdefault(f"Reset at {args.residents:,}, new seed (full spin-up)",
                                   []).append(_reset_to_seed(page, 100 + i, args.residents))
                page.get_by_text("committee", exact=True).click()
                duty = page.locator(".lever-committee-pushed_down_duty_items input")
                duty.fill(str(90 + i))
                duty.press("Enter")
                page.wait_for_selector(f"text=committee.pushed_down_duty_items={90 + i}")
                t = time.perf_counter()
                page.locator(".cogov-reset").click()
                page.wait_for_selector(f"code:text-is('committee.pushed_down_duty_items={90 + i}')",
                                       timeout=600_000)
                results.setdefault(f"Reset at {args.residents:,} after a lever change (kept "
                                   "spin-up)", []).append(time.perf_counter() - t)
                if i:  # back to the seed of the round before: its spin-up is in the cache
                    seed.fill(str(100 + i - 1))
                    seed.press("Enter")
                    page.wait_for_timeout(500)  # a seed alone is not listed among the changes: let it arrive
                    results.setdefault(f"Reset at {args.residents:,}, a seed the cache holds",
                                       []).append(_reset_to_seed(page, 100 + i - 1, args.residents))
                for d in (1, 2, 3):
                    t = time.perf_counter()
                    page.locator(".cogov-step").click()
                    page.wait_for_selector(f".cogov-day:text-is('Day {d}')")
                    results.setdefault("Step to updated page", []).append(time.perf_counter() - t)
                results.setdefault(f"a year with live charts at {args.residents:,}", []).append(
                    _run_a_year(page, timeout=600_000))
                page.close()
            if args.big:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url + "?set=population.residents_per_community%3D1000")
                page.wait_for_selector("svg.cogov-chart")
                # at most 50,000 residents per community: the big population as 2 communities
                box = page.get_by_label("residents per community", exact=True)
                box.fill(str(args.big // 2))
                box.press("Enter")
                page.wait_for_selector("text=take effect at Reset")
                box = page.get_by_label("communities", exact=True)
                box.fill("2")
                box.press("Enter")
                page.wait_for_selector("text=2 change(s) take effect at Reset")
                t = time.perf_counter()
                page.locator(".cogov-reset").click()
                page.wait_for_selector(".cogov-spinning")
                page.wait_for_selector(f"text={args.big // 2 * 2:,} residents,", timeout=1_800_000)
                results[f"Reset at {args.big:,} (full spin-up)"] = [time.perf_counter() - t]
                results[f"a year with live charts at {args.big:,}"] = [_run_a_year(page, timeout=1_800_000)]
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        cache_dir.cleanup()
    _report(load_before, results)


def _report(load_before, results: dict) -> None:
    print(f"{platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}; load average (1, 5, 15 min) "
          f"before {', '.join(f'{x:.1f}' for x in load_before)}, after "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (the machine is shared: "
          "a load near 0 before is an idle machine)")
    for k, v in results.items():
        print(f"| {k} | {min(v):.2f} s | {sorted(v)[len(v) // 2]:.2f} s | {len(v)} |")


if __name__ == "__main__":
    main()
