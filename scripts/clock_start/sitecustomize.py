"""Start a test process's clock (nlu.clock, CLOCK_FROZEN_AT ticking) when the interpreter starts.

nlu.clock ticks from its first read; a process that first asks for the time a minute after it
started would run a minute behind the test and the processes started with it (a ticket filed
"before" the call that reported it). scripts/procs.base_env puts this directory on PYTHONPATH
only when the test suite gives a process a clock (procs.clock_start), never otherwise.
"""

import os

if os.environ.get("CLOCK_FROZEN_AT"):
    try:
        from nlu import clock

        clock.now()
    except Exception:  # a start-up shim must never stop the process it serves
        pass
