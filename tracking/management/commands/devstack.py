"""Run the development stack: Django's server plus a Celery worker with beat, as one command.

Used by `make run`. Both are child processes of this one; whatever ends it (Ctrl-C, SIGTERM, the
server crashing) stops both, so no orphaned worker keeps consuming the embedded broker."""
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the app with a Celery worker and beat alongside (development)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        log_path = Path(settings.VAR_DIR) / "celery.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        with open(log_path, "ab") as log:
            worker = subprocess.Popen(
                [python, "-m", "celery", "-A", "config", "worker", "--beat", "--concurrency", "2", "--loglevel",
                 "INFO", "--schedule", str(Path(settings.VAR_DIR) / "celerybeat-schedule")],
                stdout=log, stderr=subprocess.STDOUT,
            )
            self.stdout.write(f"Celery worker + beat started (pid {worker.pid}, log {log_path})")
            server = subprocess.Popen([python, "manage.py", "runserver", options["addrport"]])
            children = (server, worker)

            def stop(signum, frame):
                raise KeyboardInterrupt

            signal.signal(signal.SIGTERM, stop)
            try:
                while all(child.poll() is None for child in children):
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
            finally:
                for child in children:
                    if child.poll() is None:
                        child.terminate()
                for child in children:
                    try:
                        child.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        child.kill()
        self.stdout.write("Stopped server and worker.")
