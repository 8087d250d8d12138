"""Tools for debugging code under JAX transforms: traces, breakpoints, NaNs, dead code."""

from ._announce import announce_transform as announce_transform
from ._backward_nan import backward_nan as backward_nan
from ._breakpoint import breakpoint_if as breakpoint_if
from ._dce import inspect_dce as inspect_dce
from ._dce import store_dce as store_dce
from ._traces import assert_max_traces as assert_max_traces
from ._traces import get_num_traces as get_num_traces

# Every name re-exported above is public; tests/test_public_names.py holds this
# list to the stub's `__all__`, which checkers read.
__all__ = sorted(name for name in dir() if not name.startswith("_"))
