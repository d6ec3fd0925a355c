"""A web process knows every task by name from the start: the outbox hands tasks over by name
from request threads, and a lazy first lookup from many threads at once could miss one."""
import json
import subprocess
import sys

from django.conf import settings

PROBE = """
import json, threading
from django.core.wsgi import get_wsgi_application
get_wsgi_application()  # what gunicorn does in each web process
from django.conf import settings
from core.outbox import _subscribers
seen = {}
def look():  # a request thread, as gunicorn's gthread workers run them
    from celery import current_app
    seen["app"] = current_app.main
    seen["tasks"] = sorted(current_app.tasks)
thread = threading.Thread(target=look)
thread.start(); thread.join()
seen["beat"] = sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})
seen["subscribers"] = sorted({name for names in _subscribers.values() for name in names})
print(json.dumps(seen))
"""


def test_a_new_web_process_has_every_scheduled_and_subscribed_task_registered_in_its_threads():
    env = {"DJANGO_SETTINGS_MODULE": "travel.settings.base", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    seen = json.loads(out.strip().splitlines()[-1])

    assert seen["app"] == "travel"
    assert seen["subscribers"], "no outbox subscriber at all: the probe is not looking at the project"
    missing = (set(seen["beat"]) | set(seen["subscribers"])) - set(seen["tasks"])
    assert not missing, f"tasks a web thread cannot find by name: {sorted(missing)}"
    assert {"payments.submit_invoice", "payments.sync_invoice"} <= set(seen["tasks"])
