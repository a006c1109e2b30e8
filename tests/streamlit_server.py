"""Start `streamlit run` on a free port and wait until it answers: shared by the browser tests and
bench/app_browser.py."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: str, log=subprocess.DEVNULL, wait_s: float = 60.0):
    """Run ``script`` (relative to the repository root) headless; yield its URL once its health check
    answers; stop it afterwards.  RuntimeError when it does not answer within ``wait_s`` seconds."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        for _ in range(int(wait_s * 2)):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            msg = f"streamlit run {script} did not answer within {wait_s:g} s"
            raise RuntimeError(msg)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
