import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
application = get_wsgi_application()

# Before the first request: remove the temp files and orphans a crashed process left among the
# uploaded files (older than AIMS_UPLOAD_SWEEP_GRACE_SECONDS, so another process's uploads in
# progress are not touched). See aims.core.storage.
from aims.core.storage import sweep_on_start  # noqa: E402

sweep_on_start()
