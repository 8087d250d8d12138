from .. import AbstractClassVar as AbstractClassVar
from .. import AbstractVar as AbstractVar
from .. import Module as Module
from .. import field as field
from .. import module_update_wrapper as module_update_wrapper
