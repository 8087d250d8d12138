"""equimod: Equinox-style neural-network Modules for JAX whose types can be trusted."""

from . import debug as debug
from . import nn as nn
from ._ad import filter_grad as filter_grad
from ._ad import filter_hessian as filter_hessian
from ._ad import filter_jacfwd as filter_jacfwd
from ._ad import filter_jacrev as filter_jacrev
from ._ad import filter_jvp as filter_jvp
from ._ad import filter_value_and_grad as filter_value_and_grad
from ._ad import filter_vjp as filter_vjp
from ._caches import clear_caches as clear_caches
from ._callback import filter_pure_callback as filter_pure_callback
from ._custom_ad import filter_checkpoint as filter_checkpoint
from ._custom_ad import filter_custom_jvp as filter_custom_jvp
from ._custom_ad import filter_custom_vjp as filter_custom_vjp
from ._enum import Enumeration as Enumeration

# Python calls it for a name the package lacks: for a name of Equinox's that
# equimod leaves out, an error saying what to write.
from ._equinox_only import module_getattr as __getattr__  # noqa: F401
from ._errors import EquimodRuntimeError as EquimodRuntimeError
from ._errors import EquimodTracetimeError as EquimodTracetimeError
from ._errors import EquinoxRuntimeError as EquinoxRuntimeError
from ._errors import EquinoxTracetimeError as EquinoxTracetimeError
from ._errors import branched_error_if as branched_error_if
from ._errors import error_if as error_if
from ._eval_shape import filter_eval_shape as filter_eval_shape
from ._filters import combine as combine
from ._filters import filter as filter
from ._filters import is_array as is_array
from ._filters import is_array_like as is_array_like
from ._filters import is_inexact_array as is_inexact_array
from ._filters import is_inexact_array_like as is_inexact_array_like
from ._filters import partition as partition
from ._jit import filter_jit as filter_jit
from ._make_jaxpr import filter_closure_convert as filter_closure_convert
from ._make_jaxpr import filter_make_jaxpr as filter_make_jaxpr
from ._module import AbstractClassVar as AbstractClassVar
from ._module import AbstractVar as AbstractVar
from ._module import Module as Module
from ._module import field as field
from ._module import module_update_wrapper as module_update_wrapper
from ._module import static_field as static_field
from ._partial import Partial as Partial
from ._pmap import filter_pmap as filter_pmap
from ._pretty_print import tree_pformat as tree_pformat
from ._pretty_print import tree_pprint as tree_pprint
from ._serialisation import default_deserialise_filter_spec as default_deserialise_filter_spec
from ._serialisation import default_serialise_filter_spec as default_serialise_filter_spec
from ._serialisation import tree_deserialise_leaves as tree_deserialise_leaves
from ._serialisation import tree_serialise_leaves as tree_serialise_leaves
from ._shard import filter_shard as filter_shard
from ._tree import apply_updates as apply_updates
from ._tree import tree_at as tree_at
from ._tree import tree_check as tree_check
from ._tree import tree_flatten_one_level as tree_flatten_one_level
from ._tree_equal import tree_equal as tree_equal
from ._vmap import filter_vmap as filter_vmap
from ._vmap import if_array as if_array
from .nn._inference import tree_inference as tree_inference

# Every name re-exported above is public; tests/test_public_names.py holds this
# list to the stub's `__all__`, which checkers read.
__all__ = sorted(name for name in dir() if not name.startswith("_"))

from ._version import __version__ as __version__
