"""Inherited fields replaced by a plain value in a subclass: no longer __init__ parameters."""

import jax
import jax.numpy as jnp

import equimod
from equimod import field


class Scaled(equimod.Module):
    scale: float = field(static=True)
    weight: jax.Array


class FixedScale(Scaled):
    scale = 5.0


class FixedScaleChild(FixedScale):
    offset: int = 0


FixedScale(weight=jnp.ones(1))
FixedScaleChild(jnp.ones(1), offset=2)
