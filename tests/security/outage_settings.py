"""The project's settings with the proposed database-outage answers (tests.security.proposals)
while they are not yet applied to aims/core/errors.py and aims/core/api.py; once they are, the
project's own URL configuration is used as is."""

from aims.settings import *  # noqa: F403

try:
    from aims.core.errors import outage_response  # noqa: F401 - applied by the lead
except ImportError:
    ROOT_URLCONF = "tests.security.outage_urls"
