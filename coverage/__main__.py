"""``python -m coverage``: see :mod:`coverage.cli`.

Python's cyclic garbage collector is off for the first :data:`coverage.settings.CLI_GC_PAUSE_S`
seconds: what a command loads to start (libraries, the province, the registry) lives as long as the
command, and collecting again and again found next to nothing in it.  A timer turns it back on, so a
long command collects as always.
"""

import gc
import sys
import threading

from coverage import settings
from coverage.cli import main

gc.disable()
_resume = threading.Timer(settings.CLI_GC_PAUSE_S, gc.enable)
_resume.daemon = True
_resume.start()
sys.exit(main())
