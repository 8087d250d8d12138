"""Converter fields: the generated __init__ takes the converter's input type."""

from typing import Generic, Literal, TypeVar

import jax
import jax.numpy as jnp
from typing_extensions import assert_type

import equimod

T = TypeVar("T")


def to_int(value: str) -> int:
    return int(value)


class Converted(equimod.Module):
    count: int = equimod.field(converter=to_int)
    scale: float = equimod.field(converter=float, default="1.0")


# The __init__ parameter takes the converter's input type (pyright: PEP 712
# semantics; mypy: the plugin).
Converted("3")
Converted("3", scale="2.5")
Converted("3", scale=2)
assert_type(Converted("3").count, int)
# Rejected: not the converter's input type.
Converted(3)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
Converted("3", scale=None)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


class ArrayField(equimod.Module):
    values: jax.Array = equimod.field(converter=jnp.asarray)


ArrayField(jnp.ones(2))
# A list is a fine input for jnp.asarray, a generic function.
ArrayField([1.0, 2.0])


class BadDefault(equimod.Module):
    # The default must be an input of the converter.
    count: int = equimod.field(converter=to_int, default=3)  # error: mypy[arg-type] pyright[reportCallIssue, reportArgumentType] ty pyrefly


class WrongOutput(equimod.Module):
    # The converter's output must fit the field's type.
    label: str = equimod.field(converter=to_int)  # error: mypy[assignment] pyright[reportGeneralTypeIssues, reportAssignmentType] ty pyrefly


def pick(value: Literal["sum", "mean"]) -> str:
    return value


class Reduction(equimod.Module):
    # A converter taking a Literal, with a default of that Literal.
    kind: str = equimod.field(converter=pick, default="sum")


Reduction()
Reduction("mean")
Reduction("max")  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


class ByLambda(equimod.Module):
    count: int = equimod.field(converter=lambda value: int(value))


ByLambda("3")


class ByTuple(equimod.Module):
    items: tuple[int, ...] = equimod.field(converter=tuple)


ByTuple([1, 2])


class ByTupleWithDefault(equimod.Module):
    items: tuple[int, ...] = equimod.field(converter=tuple, default=())


ByTupleWithDefault([1, 2])  # error: ty  # divergence: ty-generic-converter-default


class Box(Generic[T]):
    def __init__(self, value: T) -> None:
        self.value = value


class ByGenericClass(equimod.Module):
    box: Box[int] = equimod.field(converter=Box)


ByGenericClass(1)


class AssignsInput(equimod.Module):
    # In a hand-written __init__ the converter runs after it: it assigns the input.
    count: int = equimod.field(converter=to_int)

    def __init__(self, text: str) -> None:
        self.count = text  # error: pyright[reportAttributeAccessIssue] pyrefly  # divergence: converter-input-in-init


AssignsInput("3")
