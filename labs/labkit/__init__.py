"""Run-time helpers shared by every lab: data, training, plotting and the checks behind the test cells."""

from labkit.student import check

__all__ = ["check"]
