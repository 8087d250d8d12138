"""Fields may be assigned in __init__ and __post_init__ only (frozen is the mypy plugin's job)."""

import jax

import equimod


class Frozen(equimod.Module):
    weight: jax.Array
    count: int

    def __init__(self, weight: jax.Array) -> None:
        self.weight = weight
        self.count = 0
        self.count = 1  # assigning more than once in __init__ is fine


class Posted(equimod.Module):
    value: int
    double: int = equimod.field(init=False)

    def __post_init__(self) -> None:
        self.double = 2 * self.value


module = Frozen(jax.numpy.ones(2))
# Errors at run time (FrozenInstanceError), reported by the mypy plugin. pyright
# cannot see it: `frozen_default=True` would reject the assignments in __init__.
module.count = 3  # error: mypy[equimod-frozen]  # divergence: frozen-assignment
del module.count  # error: mypy[equimod-frozen]  # divergence: frozen-assignment
module.missing = 1  # error: mypy[attr-defined] pyright[reportAttributeAccessIssue] ty pyrefly


class Copies(equimod.Module):
    value: int

    def __init__(self, value: int, other: "Copies | None" = None) -> None:
        self.value = value
        if other is not None:
            other.value = value  # error: mypy[equimod-frozen]  # divergence: frozen-assignment

    def bump(self) -> None:
        self.value += 1  # error: mypy[equimod-frozen]  # divergence: frozen-assignment


def reset(module: Frozen) -> None:
    module.weight = jax.numpy.zeros(2)  # error: mypy[equimod-frozen]  # divergence: frozen-assignment


# Writes during construction that are not textually in __init__ are fine, as at
# run time: a helper method __init__ calls, an alias of self, a function that
# __init__ hands self to, classes in functions.
class Helper(equimod.Module):
    a: int
    b: int

    def __init__(self, a: int) -> None:
        self.a = a
        self._finish()

    def _finish(self) -> None:
        self.b = self.a + 1


class Aliased(equimod.Module):
    x: int

    def __init__(self, x: int) -> None:
        me = self
        me.x = x
        del me.x
        me.x = x


def _fill(module: "HandedOver", x: int) -> None:
    module.x = x


class HandedOver(equimod.Module):
    x: int

    def __init__(self, x: int) -> None:
        _fill(self, x)


def local_class() -> int:
    class Local(equimod.Module):
        value: int

        def __init__(self, value: int) -> None:
            self.value = value

    return Local(1).value


class Settings:
    verbose: bool = False


class WithSettings(equimod.Module):
    settings: Settings
    inner: Helper

    def __init__(self) -> None:
        self.settings = Settings()
        self.inner = Helper(1)
        self.inner.a = 2  # error: mypy[equimod-frozen]  # divergence: frozen-assignment

    def forget(self) -> None:
        del self.settings  # error: mypy[equimod-frozen]  # divergence: frozen-assignment


def settings_of(module: WithSettings, other: Frozen) -> None:
    del module.settings.verbose  # an attribute of a field's value, not a field
    del (module.inner, other.count)  # error: mypy[equimod-frozen]  # divergence: frozen-assignment
