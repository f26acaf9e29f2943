"""A throw-away redis-server the test owns, to stop and freeze (SIGSTOP) mid-test.

``RedisServer(port).start()`` runs ``redis-server --port N --save "" --daemonize yes`` with a pid
file; ``freeze()``/``thaw()`` send SIGSTOP/SIGCONT, ``stop()`` shuts it down, ``start()`` again
brings it back empty. Tests skip when the binary is missing."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    """A port nobody listens on now (test workers running side by side each get their own)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"redis-{port}-"))
        self.pidfile = self.dir / "redis.pid"
        self.frozen = False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        subprocess.run([REDIS_SERVER, "--port", str(self.port), "--save", "", "--appendonly", "no",
                        "--daemonize", "yes", "--pidfile", str(self.pidfile), "--dir", str(self.dir),
                        "--bind", "127.0.0.1"], check=True, stdout=subprocess.DEVNULL)
        for _ in range(100):
            if self._answers() and self.pid is not None:  # ours: another server would leave no pid file here
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def freeze(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.pid, signal.SIGCONT)
        self.frozen = False

    def stop(self) -> None:
        pid = self.pid
        if pid is None:
            return
        if self.frozen:
            self.thaw()
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
