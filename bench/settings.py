"""The servers' settings for the load test: production's (phxpay.settings), throttles off.

Every request of the bench comes from one address and its wrong passwords target one User Name, so
the rate limits and django-axes would measure themselves. No deployment runs this module.
"""

from phxpay.settings import *  # noqa: F403

RATE_LIMITS_ENABLED = False
AXES_ENABLED = False
