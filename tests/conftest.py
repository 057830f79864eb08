import os

from hypothesis import HealthCheck, settings

# CI machines have 2 cores; keep property tests bounded and free of timing flakiness.
settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
