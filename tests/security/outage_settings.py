"""The project's settings with the proposed DatabaseOutageMiddleware, for a server started by the
outage test while the middleware is not yet in aims/settings.py (it is used as is once it is)."""

from aims.settings import *  # noqa: F403
from aims.settings import MIDDLEWARE

_APPLIED = "aims.core.middleware.DatabaseOutageMiddleware"
if _APPLIED not in MIDDLEWARE:
    MIDDLEWARE = [MIDDLEWARE[0], "tests.security.proposals.DatabaseOutageMiddleware", *MIDDLEWARE[1:]]
