"""aims.urls with the proposed handler500 and API handler for database outages (test only)."""

from aims.urls import *  # noqa: F403
from aims.urls import urlpatterns  # noqa: F401

from .proposals import install_api_handler

install_api_handler()
handler500 = "tests.security.proposals.server_error"
