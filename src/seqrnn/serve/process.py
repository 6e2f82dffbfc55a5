"""``seqrnn serve`` as a child process on a free loopback port, for benchmarks and tests.

:class:`ServiceProcess` starts the service, waits until ``/healthz`` answers, and on exit
sends SIGTERM (the service drains and exits by itself), killing it only if it has not gone
after ``stop_timeout_s``. No server outlives the ``with`` block.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS has just given out on ``host`` (free unless someone takes it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServiceProcess:
    """``with ServiceProcess(run, *flags) as svc:`` -> ``svc.url`` serves ``run``."""

    def __init__(
        self,
        run: str | Path,
        *flags: str,
        host: str = "127.0.0.1",
        start_timeout_s: float = 120.0,
        stop_timeout_s: float = 60.0,
        threads: int = 1,
    ):
        self.port = free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.args = [
            sys.executable,
            "-m",
            "seqrnn",
            "serve",
            str(run),
            "--host",
            host,
            "--port",
            str(self.port),
            *flags,
        ]
        self.env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        self.start_timeout_s = start_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr = b""

    def __enter__(self) -> ServiceProcess:
        self.proc = subprocess.Popen(
            self.args, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        import httpx

        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the service exited at start: {self.stderr.decode()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the service did not answer /healthz in {self.start_timeout_s} s")

    def terminate(self) -> None:
        """Send SIGTERM (graceful: in-flight requests are answered first)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> int | None:
        """SIGTERM, wait, kill as a last resort; the exit status (None if never started)."""
        if self.proc is None:
            return None
        self.terminate()
        try:
            _, err = self.proc.communicate(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            logger.warning("the service did not stop in %s s; killing it", self.stop_timeout_s)
            self.proc.kill()
            _, err = self.proc.communicate()
        self.stderr = err or b""
        return self.proc.returncode

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
