"""A readable `repr` for Modules: arrays as `f32[3,2]`, nested Modules indented."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

_WIDTH = 88
_INDENT = "  "

_DTYPE_SHORT = {
    "float16": "f16",
    "bfloat16": "bf16",
    "float32": "f32",
    "float64": "f64",
    "int8": "i8",
    "int16": "i16",
    "int32": "i32",
    "int64": "i64",
    "uint8": "u8",
    "uint16": "u16",
    "uint32": "u32",
    "uint64": "u64",
    "complex64": "c64",
    "complex128": "c128",
    "bool": "bool",
}


def array_summary(x: Any) -> str:
    """`f32[3,2]` for a float32 array of shape (3, 2); `f32[]` for a scalar array."""
    dtype = str(x.dtype)
    short = _DTYPE_SHORT.get(dtype, dtype)
    return f"{short}[{','.join(str(d) for d in x.shape)}]"


def module_repr(module: Any) -> str:
    return _format(module, 0)


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, type)


def _format(x: Any, depth: int) -> str:
    if _is_array(x) and not isinstance(x, np.generic):
        return array_summary(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type) and hasattr(x, "_equimod_info"):
        items = [
            (f.name + "=", getattr(x, f.name, "<unset>")) for f in dataclasses.fields(x) if f.repr
        ]
        return _join(type(x).__name__ + "(", items, ")", depth)
    if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
        open_, close = ("[", "]") if isinstance(x, list) else ("(", ")")
        items = [("", item) for item in x]
        if isinstance(x, tuple) and len(x) == 1:
            close = ",)"
        return _join(open_, items, close, depth)
    if type(x) is dict:
        items = [(f"{k!r}: ", v) for k, v in x.items()]
        return _join("{", items, "}", depth)
    if callable(x) and hasattr(x, "__qualname__") and not isinstance(x, type):
        return f"<function {x.__qualname__}>"
    return repr(x)


def _join(open_: str, items: list[tuple[str, Any]], close: str, depth: int) -> str:
    parts = [prefix + _format(value, depth + 1) for prefix, value in items]
    flat = open_ + ", ".join(parts) + close
    if len(flat) + len(_INDENT) * depth <= _WIDTH and "\n" not in flat:
        return flat
    inner = _INDENT * (depth + 1)
    body = ",\n".join(inner + part for part in parts)
    return f"{open_}\n{body}\n{_INDENT * depth}{close}"
