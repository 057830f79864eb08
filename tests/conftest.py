import os

from hypothesis import HealthCheck, settings

# CI machines have 2 cores; keep property tests bounded and free of timing flakiness. The "ci"
# profile is derandomized so that a landing is never decided by the draw; "explore" searches
# afresh each run (HYPOTHESIS_PROFILE=explore make test).
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
