"""Dask, for every function that takes ``scheduler=``: one way to connect, one timeout.

The core's batch functions, the image indexer, the image table and the point-cloud metrics
all connect through :func:`connect`, so they wait the same time and fail with the same message.
numpy only here: dask is imported when a connection is asked for.
"""
from __future__ import annotations

import math

#: Seconds to wait for a Dask scheduler before giving up. A scheduler on the same network
#: answers within milliseconds; 10 s leaves room for a busy one and still reports a mistyped
#: address quickly (Dask's own default is 30 s).
DEFAULT_SCHEDULER_TIMEOUT = 10.0


def check_scheduler(scheduler: object, scheduler_timeout: object) -> None:
    """TypeError/ValueError, naming the argument, for a bad address or timeout."""
    if scheduler is not None and not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be a Dask address such as 'tcp://host:8786' or None, "
                        f"got {type(scheduler).__name__}")
    if isinstance(scheduler_timeout, bool) or not isinstance(scheduler_timeout, (int, float)):
        raise TypeError(f"scheduler_timeout must be a number of seconds, "
                        f"got {type(scheduler_timeout).__name__}")
    if not (scheduler_timeout > 0 and math.isfinite(scheduler_timeout)):
        raise ValueError(f"scheduler_timeout must be a positive number of seconds, "
                         f"got {scheduler_timeout}")


def connect(address: str, timeout: float = DEFAULT_SCHEDULER_TIMEOUT):
    """A ``dask.distributed.Client`` connected to ``address`` within ``timeout`` seconds.

    Raises
    ------
    ImportError
        If dask.distributed is not installed (naming the ``emdkit[dask]`` extra).
    OSError
        If the scheduler cannot be reached in time (one line naming the address).
    """
    check_scheduler(address, timeout)
    try:
        from dask.distributed import Client
    except ImportError:
        raise ImportError('a Dask scheduler needs dask.distributed: pip install "emdkit[dask]"') \
            from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise OSError(f"could not reach the Dask scheduler at {address} within {timeout:g} s "
                      f"({type(exc).__name__})") from None
