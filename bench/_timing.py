"""Helpers shared by the benchmarks: time a call or a snippet in a fresh interpreter, and say the load."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median wall seconds of ``repeat`` calls of ``fn``, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def load() -> str:
    """The machine's load (``uptime``): the machine is shared, figures move with it."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def run_fresh(code: str, repeat: int = 3) -> list[dict]:
    """Run ``code`` (which prints one JSON object of timings) in ``repeat`` fresh processes."""
    out = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(name: str, ours: float, baseline_name: str, baseline: float, target: float | None = None) -> None:
    verdict = "" if target is None else ("  target met" if ours <= target else "  TARGET MISSED")
    target_text = "" if target is None else f" (target <= {target:g} s)"
    print(
        f"{name}: {ours:.2f} s{target_text}; baseline '{baseline_name}': {baseline:.2f} s; ratio {baseline / ours:.1f}x{verdict}"
    )
