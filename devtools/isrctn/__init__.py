"""A loopback stand-in for ISRCTN's query API (tests, benchmarks, demos), with fictional
records in ISRCTN's XML shape: ``records.py`` (the trials and their XML), ``qlang.py`` (the part
of the ``q`` language it understands), ``server.py`` (the answers, the faults, the server).

Run ``python -m devtools.isrctn`` to serve the sample trials until Ctrl-C.
"""

from devtools.isrctn.records import FictionalTrial, answer_xml, full_trial_xml, sample_trials
from devtools.isrctn.server import IsrctnFaults, IsrctnServer, IsrctnStandIn

__all__ = ["FictionalTrial", "IsrctnFaults", "IsrctnServer", "IsrctnStandIn", "answer_xml",
           "full_trial_xml", "sample_trials"]
