"""Layers, with Equinox's names, constructor signatures and initialisation."""

from ._activations import PReLU as PReLU
from ._conv import Conv as Conv
from ._conv import Conv1d as Conv1d
from ._conv import Conv2d as Conv2d
from ._dropout import Dropout as Dropout
from ._embedding import Embedding as Embedding
from ._linear import Linear as Linear
from ._mlp import MLP as MLP
from ._normalisation import GroupNorm as GroupNorm
from ._normalisation import LayerNorm as LayerNorm
from ._normalisation import RMSNorm as RMSNorm
from ._sequential import Identity as Identity
from ._sequential import Lambda as Lambda
from ._sequential import Sequential as Sequential

__all__ = [
    "Conv",
    "Conv1d",
    "Conv2d",
    "Dropout",
    "Embedding",
    "GroupNorm",
    "Identity",
    "Lambda",
    "LayerNorm",
    "Linear",
    "MLP",
    "PReLU",
    "RMSNorm",
    "Sequential",
]
