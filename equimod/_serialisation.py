"""Saving and loading the leaves of a pytree: `tree_serialise_leaves`, `tree_deserialise_leaves`.

A file holds a short header (magic bytes, then JSON naming each leaf's path,
kind, shape and dtype) followed by each saved leaf in `np.save` format. The
header lets loading name the first leaf where the file and the model disagree,
instead of silently filling a model of another structure.
"""

from __future__ import annotations

import json
import os
import pathlib
import struct
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar, cast

import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np

from ._filters import is_array_like, none_or

_T = TypeVar("_T")

_MAGIC_PREFIX = b"EQUIMOD-LEAVES-"
_FORMAT = 1
_MAGIC = _MAGIC_PREFIX + f"{_FORMAT}\n".encode()
# Far more than any model's header (about 100 bytes a leaf); a larger length is damage.
_MAX_HEADER_BYTES = 1 << 30

_MSG_STRUCTURE = (
    "tree_deserialise_leaves({source}): the file does not match `like` at leaf {path}: "
    "{detail}. Load into a model built with the same structure and sizes as the saved one."
)
_MSG_COUNT = (
    "tree_deserialise_leaves({source}): the file holds {saved} leaves but `like` has "
    "{expected}; the first difference is at {path}. Load into a model built with the same "
    "structure as the saved one."
)
_MSG_TRUNCATED = (
    "tree_deserialise_leaves({source}): the file ended, or was unreadable, while reading "
    "leaf {path} ({error}). The file is truncated or corrupt."
)
_MSG_NOT_OURS = (
    "tree_deserialise_leaves({source}): this is not a file written by "
    "equimod.tree_serialise_leaves (its header is missing). A checkpoint written by "
    "equinox.tree_serialise_leaves has no header: load it with Equinox's "
    "tree_deserialise_leaves, then save it with equimod's."
)
_MSG_OTHER_FORMAT = (
    "tree_deserialise_leaves({source}): the file is in equimod's checkpoint format "
    "{found!r}, but this version of equimod reads format {ours}. Load it with the "
    "equimod version that wrote it."
)
_MSG_BAD_HEADER = (
    "tree_deserialise_leaves({source}): the file's header is corrupt ({problem}); "
    "the file was damaged or not written by equimod.tree_serialise_leaves."
)
_MSG_SPEC = (
    "{function}: filter_spec must be a callable (file, leaf) or a pytree prefix of the "
    "pytree with such callables at its leaves; it does not match: {error}"
)

PathOrFile = str | os.PathLike[str] | BinaryIO


def default_serialise_filter_spec(f: BinaryIO, x: Any) -> None:
    """Save arrays and Python/NumPy scalars with `np.save`; skip every other leaf.

    Args:
        f: The binary file being written.
        x: The leaf.
    """
    if is_array_like(x):
        np.save(f, np.asarray(x), allow_pickle=False)


def _load_array(f: BinaryIO, like: Any) -> np.ndarray[Any, Any]:
    value: np.ndarray[Any, Any] = np.load(f, allow_pickle=False)
    # NumPy's file format has no name for the dtypes JAX adds (bfloat16, float8...):
    # it stores them as raw bytes ("|V2"), which the saved-into leaf's dtype reads back.
    if value.dtype.kind == "V" and value.dtype.itemsize == np.dtype(like.dtype).itemsize:
        value = value.view(like.dtype)
    return value


def default_deserialise_filter_spec(f: BinaryIO, x: Any) -> Any:
    """Load what `default_serialise_filter_spec` saved, as the type of `x`; keep other leaves.

    Args:
        f: The binary file being read.
        x: The leaf of `like` in this place.

    Returns:
        The loaded leaf: a JAX array for a JAX array, a NumPy array or scalar for
        one, a Python scalar for one; `x` itself for any other leaf.
        `tree_deserialise_leaves` checks shapes and dtypes against `like`
        before calling it.
    """
    if isinstance(x, jax.Array):
        return jnp.asarray(_load_array(f, x))
    if isinstance(x, (np.ndarray, np.generic)):
        value = _load_array(f, x)
        return value if isinstance(x, np.ndarray) else value[()]
    if isinstance(x, (bool, int, float, complex)):
        return type(x)(np.load(f, allow_pickle=False).item())
    return x


def _leaf_record(path: str, leaf: Any, spec: Callable[..., Any]) -> dict[str, Any]:
    if spec is not default_serialise_filter_spec and spec is not default_deserialise_filter_spec:
        return {"path": path, "kind": "custom"}
    if not is_array_like(leaf):
        return {"path": path, "kind": "kept"}
    array = np.asarray(leaf) if not isinstance(leaf, jax.Array) else leaf
    return {
        "path": path,
        "kind": "array",
        "shape": list(array.shape),
        "dtype": str(array.dtype),
    }


def _leaves_with_specs(
    pytree: Any, filter_spec: Any, is_leaf: Callable[[Any], bool] | None, function: str
) -> list[tuple[str, Any, Callable[..., Any]]]:
    pairs = jtu.tree_flatten_with_path(pytree, is_leaf=none_or(is_leaf))[0]
    if callable(filter_spec):
        return [(jtu.keystr(p), leaf, filter_spec) for p, leaf in pairs if leaf is not None]
    try:
        specs = jtu.tree_map(
            lambda spec, subtree: jtu.tree_map(lambda _: spec, subtree, is_leaf=none_or(is_leaf)),
            filter_spec,
            pytree,
            is_leaf=callable,
        )
    except ValueError as error:
        raise ValueError(_MSG_SPEC.format(function=function, error=error)) from None
    spec_leaves = jtu.tree_leaves(specs, is_leaf=callable)
    return [
        (jtu.keystr(p), leaf, spec)
        for (p, leaf), spec in zip(pairs, spec_leaves, strict=True)
        if leaf is not None
    ]


def _open(path_or_file: PathOrFile, mode: str) -> tuple[BinaryIO, bool]:
    if isinstance(path_or_file, (str, os.PathLike)):
        return cast(BinaryIO, open(pathlib.Path(path_or_file), mode)), True
    return path_or_file, False


def _source_name(path_or_file: PathOrFile) -> str:
    if isinstance(path_or_file, (str, os.PathLike)):
        return repr(os.fspath(path_or_file))
    return getattr(path_or_file, "name", "<file object>")


def tree_serialise_leaves(
    path_or_file: PathOrFile,
    pytree: Any,
    filter_spec: Any = default_serialise_filter_spec,
    is_leaf: Callable[[Any], bool] | None = None,
) -> None:
    """Save the leaves of `pytree` to a path or a binary file object.

    Only leaves are saved, not the structure: load them with
    `tree_deserialise_leaves` into a `like` pytree of the same structure (for a
    model, one built with the same hyperparameters).

    Args:
        path_or_file: A path (its folder must exist) or a binary file open for
            writing.
        pytree: Any pytree.
        filter_spec: How each leaf is written: a callable `(file, leaf) -> None`,
            or a pytree prefix of `pytree` with those at its leaves. The default
            saves arrays and scalars with `np.save` and skips other leaves.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Raises:
        ValueError: If `filter_spec` is not a prefix of `pytree`.
    """
    entries = _leaves_with_specs(pytree, filter_spec, is_leaf, "tree_serialise_leaves")
    header = json.dumps([_leaf_record(path, leaf, spec) for path, leaf, spec in entries]).encode()
    f, owned = _open(path_or_file, "wb")
    try:
        f.write(_MAGIC)
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for _, leaf, spec in entries:
            spec(f, leaf)
    finally:
        if owned:
            f.close()


def tree_deserialise_leaves(
    path_or_file: PathOrFile,
    like: _T,
    filter_spec: Any = default_deserialise_filter_spec,
    is_leaf: Callable[[Any], bool] | None = None,
) -> _T:
    """Load leaves saved by `tree_serialise_leaves` into the structure of `like`.

    Args:
        path_or_file: A path or a binary file open for reading.
        like: A pytree of the saved structure: it supplies the structure and the
            leaves that were not saved; its array values are ignored.
        filter_spec: How each leaf is read: a callable `(file, like_leaf) -> leaf`,
            or a pytree prefix of `like` with those at its leaves. The default
            reads what the default of `tree_serialise_leaves` wrote, as the type
            and dtype of the leaf in `like`.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Returns:
        A pytree of `like`'s structure holding the loaded leaves.

    Raises:
        ValueError: If the file's leaves do not match `like` (another structure,
            shape or dtype; the first mismatching leaf is named), or the file is
            truncated, damaged, or not an equimod checkpoint. Nothing is loaded
            silently into the wrong place.
    """
    source = _source_name(path_or_file)
    entries = _leaves_with_specs(like, filter_spec, is_leaf, "tree_deserialise_leaves")
    expected = [_leaf_record(path, leaf, spec) for path, leaf, spec in entries]
    f, owned = _open(path_or_file, "rb")
    try:
        saved = _read_header(f, source)
        _check_header(source, saved, expected)
        loaded = {}
        for path, leaf, spec in entries:
            try:
                value = spec(f, leaf)
            except (EOFError, ValueError, OSError) as error:
                raise ValueError(
                    _MSG_TRUNCATED.format(source=source, path=path, error=error)
                ) from None
            loaded[path] = value
    finally:
        if owned:
            f.close()

    paths_and_leaves, treedef = jtu.tree_flatten_with_path(like, is_leaf=none_or(is_leaf))
    new_leaves = [leaf if leaf is None else loaded[jtu.keystr(p)] for p, leaf in paths_and_leaves]
    return jtu.tree_unflatten(treedef, new_leaves)  # type: ignore[no-any-return]


def _read_header(f: BinaryIO, source: str) -> list[dict[str, Any]]:
    magic = f.read(len(_MAGIC))
    if magic != _MAGIC:
        if magic.startswith(_MAGIC_PREFIX):
            found = magic[len(_MAGIC_PREFIX) :].decode(errors="replace").strip()
            raise ValueError(_MSG_OTHER_FORMAT.format(source=source, found=found, ours=_FORMAT))
        raise ValueError(_MSG_NOT_OURS.format(source=source))
    try:
        (length,) = struct.unpack("<Q", f.read(8))
        if length > _MAX_HEADER_BYTES:
            raise ValueError(f"it claims {length} bytes")
        text = f.read(length)
        if len(text) != length:
            raise ValueError(f"{len(text)} of its {length} bytes are present")
        saved = json.loads(text)
    except (struct.error, ValueError) as error:
        raise ValueError(
            _MSG_TRUNCATED.format(source=source, path="<header>", error=error)
        ) from None
    if not isinstance(saved, list) or not all(
        isinstance(record, dict) and isinstance(record.get("path"), str) for record in saved
    ):
        raise ValueError(_MSG_BAD_HEADER.format(source=source, problem="not a list of leaves"))
    return saved


def _check_header(source: str, saved: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    for got, want in zip(saved, expected, strict=False):
        if got["path"] != want["path"]:
            detail = f"the file has leaf {got['path']} where `like` has {want['path']}"
            raise ValueError(_MSG_STRUCTURE.format(source=source, path=want["path"], detail=detail))
        if want["kind"] == "array" and got.get("kind") == "array":
            if got.get("shape") != want["shape"] or got.get("dtype") != want["dtype"]:
                detail = (
                    f"the file has {got.get('dtype')}{tuple(got.get('shape') or ())}, `like` has "
                    f"{want['dtype']}{tuple(want['shape'])}"
                )
                raise ValueError(
                    _MSG_STRUCTURE.format(source=source, path=want["path"], detail=detail)
                )
        elif got.get("kind") != want["kind"] and "custom" not in (got.get("kind"), want["kind"]):
            detail = f"the file saved it as {got.get('kind')}, `like` expects {want['kind']}"
            raise ValueError(_MSG_STRUCTURE.format(source=source, path=want["path"], detail=detail))
    if len(saved) != len(expected):
        shorter = min(len(saved), len(expected))
        longer = saved if len(saved) > len(expected) else expected
        raise ValueError(
            _MSG_COUNT.format(
                source=source,
                saved=len(saved),
                expected=len(expected),
                path=longer[shorter]["path"],
            )
        )
