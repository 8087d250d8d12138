"""An inherited field replaced by a plain attribute is no longer a field, as at run time."""

import jax
import jax.numpy as jnp

import equimod
from equimod import field


class Base(equimod.Module):
    scale: float = field(static=True)
    weight: jax.Array


class Fixed(Base):  # error: pyrefly  # divergence: replaced-field
    scale = 5.0


class FixedChild(Fixed):
    pass


Fixed(weight=jnp.ones(1))  # error: pyright[reportCallIssue] ty  # divergence: replaced-field
FixedChild(jnp.ones(1))  # error: pyright[reportCallIssue] ty pyrefly  # divergence: replaced-field
Fixed(5.0, jnp.ones(1))  # error: mypy[arg-type, call-arg]  # divergence: replaced-field


class Sized(equimod.Module):
    size: int = field(init=False)


# Both checkers object to a property replacing a field; at run time it is the
# way to compute a field of the base in a subclass.
class Three(Sized):
    @property  # error: mypy[misc]  # divergence: replaced-field
    def size(self) -> int:  # error: mypy[override] pyright[reportIncompatibleVariableOverride] ty pyrefly
        return 3


Three()
