"""equimod: Equinox-style neural-network Modules for JAX whose types can be trusted."""

from . import nn as nn
from ._filters import is_array as is_array
from ._filters import is_array_like as is_array_like
from ._filters import is_inexact_array as is_inexact_array
from ._filters import is_inexact_array_like as is_inexact_array_like
from ._module import AbstractClassVar as AbstractClassVar
from ._module import AbstractVar as AbstractVar
from ._module import Module as Module
from ._module import field as field
from ._tree_equal import tree_equal as tree_equal

__version__ = "0.1.0"
