"""Layers, with Equinox's names, constructor signatures and initialisation."""

from ._linear import Linear as Linear
