"""EU CBAM: specific embedded emissions (SEE) of an installation's goods, the Commission's default
values, and the communication to importers.

Modules: :mod:`~footprint.cbam.goods` (CN codes, sectors, cited rules), :mod:`~footprint.cbam.defaults`
(the shipped default values), :mod:`~footprint.cbam.electricity` (default electricity factors),
:mod:`~footprint.cbam.benchmarks` (benchmarks and the free-allocation adjustment),
:mod:`~footprint.cbam.model` (the installation file),
:mod:`~footprint.cbam.calc` (the SEE; :mod:`~footprint.cbam.see` its value and rounding,
:mod:`~footprint.cbam.flows` heat and waste gases, :mod:`~footprint.cbam.functional` the SEE per
tonne of clinker or nitrogen), :mod:`~footprint.cbam.communicate` (the data package),
:mod:`~footprint.cbam.reconcile` (beside the product footprint) and :mod:`~footprint.cbam.report`
(the page for people).
"""

from __future__ import annotations

from footprint.cbam.calc import CbamResult, calculate
from footprint.cbam.defaults import default_for, lookup
from footprint.cbam.goods import RULES, CbamError
from footprint.cbam.model import Installation, read_installation

__all__ = [
    "RULES",
    "CbamError",
    "CbamResult",
    "Installation",
    "calculate",
    "default_for",
    "lookup",
    "read_installation",
]
