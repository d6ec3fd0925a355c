import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")

application = get_wsgi_application()

from sandboxes.embedded import refuse_per_process_sandboxes  # noqa: E402 - needs the settings above

refuse_per_process_sandboxes("web process")
