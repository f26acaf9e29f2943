"""The Celery application. Configuration lives in settings under the CELERY_ prefix.

Tasks live beside the capability they serve (``tracking/ingest/tasks.py``, ``returns/tasks.py``…);
autodiscovery imports every ``tasks`` module of Doorstep's own apps, subpackages included."""
import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BASE_DIR = Path(__file__).resolve().parent.parent

app = Celery("doorstep")
app.config_from_object("django.conf:settings", namespace="CELERY")


def task_packages() -> list[str]:
    """Every package of Doorstep's own apps that has a tasks.py (Celery only looks at <app>.tasks)."""
    from django.apps import apps

    packages = []
    for config in apps.get_app_configs():
        root = Path(config.path)
        if BASE_DIR not in root.parents:
            continue  # Django's and third parties' apps
        for tasks_file in sorted(root.rglob("tasks.py")):
            relative = tasks_file.parent.relative_to(root).parts
            packages.append(".".join((config.name, *relative)))
    return packages


app.autodiscover_tasks(task_packages)
