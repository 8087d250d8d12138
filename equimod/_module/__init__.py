"""The core: `Module`, `field`, abstract attributes, pytree flattening and bound methods."""

from ._abstract import AbstractClassVar as AbstractClassVar
from ._abstract import AbstractVar as AbstractVar
from ._field import field as field
from ._field import static_field as static_field
from ._methods import BoundMethod as BoundMethod
from ._methods import wrap_methods
from ._module import Module as Module
from ._module import wire_methods
from ._wrappers import module_update_wrapper as module_update_wrapper

# Before any Module subclass outside the core is made (Module's own module cannot
# import the methods' one, which subclasses Module).
wire_methods(wrap_methods, BoundMethod)
