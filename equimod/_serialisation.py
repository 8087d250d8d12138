"""Saving and loading the leaves of a pytree: `tree_serialise_leaves`, `tree_deserialise_leaves`.

A file holds a short header (magic bytes, then JSON naming each leaf's path,
kind, shape and dtype) followed by each saved leaf in `np.save` format. The
header lets loading name the first leaf where the file and the model disagree,
instead of silently filling a model of another structure.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pathlib
import struct
import tempfile
import types
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar, runtime_checkable

import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
import numpy.typing as npt

from ._filters import is_array_like, none_or

_T = TypeVar("_T")

_MAGIC_PREFIX = b"EQUIMOD-LEAVES-"
_FORMAT = 1
_MAGIC = _MAGIC_PREFIX + f"{_FORMAT}\n".encode()
# Far more than any model's header (about 100 bytes a leaf); a larger length is damage.
_MAX_HEADER_BYTES = 1 << 30

# Each mismatch message opens with the words Equinox uses for it, so that ported
# code matching on them still does.
_MSG_STRUCTURE = (
    "tree_deserialise_leaves({source}): Error at leaf with path {raw}: the file does "
    "not match `like` at leaf {path}: {detail}. Load into a model built with the same "
    "structure and sizes as the saved one."
)
_MSG_CHANGED = (
    "tree_deserialise_leaves({source}): Deserialised leaf at path {raw} has changed "
    "{what}: the file does not match `like` at leaf {path}: {detail}. Load into a model "
    "built with the same structure and sizes as the saved one."
)
_MSG_COUNT = (
    "tree_deserialise_leaves({source}): Error at leaf with path {raw}: the file holds "
    "{saved} leaves but `like` has {expected}; the first difference is at {path}. Load "
    "into a model built with the same structure as the saved one."
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
_MSG_SPLIT_ACROSS_PROCESSES = (
    "tree_serialise_leaves({target}): leaf {path} is an array split across processes "
    "(this process holds only some of its shards), so no single process can write it. "
    "Save a model sharded over several processes with orbax-checkpoint (every process "
    "writes its own shards), or gather the leaf first with "
    "jax.experimental.multihost_utils.process_allgather(leaf, tiled=True)."
)
_MSG_SPEC = (
    "{function}: filter_spec must be a callable (file, leaf) or a pytree prefix of the "
    "pytree with such callables at its leaves; it does not match: {error}"
)


# What a file object must do; protocols, not `typing.BinaryIO`, which `io.BytesIO`
# and real files are not instances of (so a run-time type checker such as
# beartype would refuse them).
@runtime_checkable
class WritableFile(Protocol):
    """A binary file open for writing."""

    def write(self, data: bytes, /) -> Any: ...


@runtime_checkable
class ReadableFile(Protocol):
    """A binary file open for reading."""

    def read(self, size: int = ..., /) -> bytes: ...

    def seek(self, offset: int, whence: int = ..., /) -> int: ...


Path = str | os.PathLike[str]
KeyPath = tuple[Any, ...]


class CheckpointError(ValueError, RuntimeError):
    """A checkpoint that does not match `like`, or is damaged: a `ValueError`, and a
    `RuntimeError` as Equinox raises in these cases."""


def default_serialise_filter_spec(f: WritableFile, x: Any) -> None:
    """Save arrays and Python/NumPy scalars with `np.save`; skip every other leaf.

    Args:
        f: The binary file being written.
        x: The leaf.
    """
    if is_array_like(x):
        np.save(f, _local_value(x), allow_pickle=False)


def _local_value(x: Any) -> npt.NDArray[Any]:
    """The whole value of a leaf, read from this process's own devices: for an array
    replicated over several processes, the copy this process holds."""
    if isinstance(x, jax.Array) and not x.is_fully_addressable and x.is_fully_replicated:
        return np.asarray(x.addressable_data(0))
    return np.asarray(x)


def _split_across_processes(x: Any) -> bool:
    return isinstance(x, jax.Array) and not x.is_fully_addressable and not x.is_fully_replicated


def _load_array(f: ReadableFile, like: Any) -> npt.NDArray[Any]:
    value: npt.NDArray[Any] = np.load(f, allow_pickle=False)
    # NumPy's file format has no name for the dtypes JAX adds (bfloat16, float8...):
    # it stores them as raw bytes ("|V2"), which the saved-into leaf's dtype reads back.
    if value.dtype.kind == "V" and value.dtype.itemsize == np.dtype(like.dtype).itemsize:
        value = value.view(like.dtype)
    return value


def default_deserialise_filter_spec(f: ReadableFile, x: Any) -> Any:
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
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
        # A model over several processes: each process places its own shards of
        # the value, in the layout of `x`.
        value = _load_array(f, x)
        return jax.make_array_from_callback(value.shape, x.sharding, lambda index: value[index])
    if isinstance(x, (jax.Array, jax.ShapeDtypeStruct)):
        return jnp.asarray(_load_array(f, x))
    if isinstance(x, (np.ndarray, np.generic)):
        value = _load_array(f, x)
        return value if isinstance(x, np.ndarray) else value[()]
    if isinstance(x, (bool, int, float, complex)):
        return type(x)(np.load(f, allow_pickle=False).item())
    return x


def _path_name(path: KeyPath) -> str:
    """`jax.tree_util.keystr`, but a key that is a plain object (a `State`'s markers,
    which differ between two equal models) is named by its type, not its address."""
    return "".join(
        f"[<{type(key.key).__name__}>]"
        if isinstance(key, jtu.DictKey) and type(key.key).__repr__ is object.__repr__  # type: ignore[comparison-overlap]
        else jtu.keystr((key,))
        for key in path
    )


def _leaf_record(key_path: KeyPath, leaf: Any, spec: Callable[..., Any]) -> dict[str, Any]:
    path = _path_name(key_path)
    if spec is not default_serialise_filter_spec and spec is not default_deserialise_filter_spec:
        return {"path": path, "kind": "custom"}
    if isinstance(leaf, jax.ShapeDtypeStruct):
        # What `filter_eval_shape` makes: a model's shape, to load arrays into.
        return {"path": path, "kind": "array", "shape": list(leaf.shape), "dtype": str(leaf.dtype)}
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
) -> list[tuple[KeyPath, Any, Callable[..., Any]]]:
    leaf_or_none = none_or(is_leaf)
    pairs = jtu.tree_flatten_with_path(pytree, is_leaf=leaf_or_none)[0]
    if isinstance(filter_spec, types.FunctionType):
        return [(p, leaf, filter_spec) for p, leaf in pairs if leaf is not None]
    # The spec is flattened as any pytree, as in Equinox (a Module in it is a node,
    # even a callable one); each of its leaves serves every leaf of its subtree.
    spec_leaves: list[Callable[..., Any]] = []

    def serve(spec: Callable[..., Any], subtree: Any) -> None:
        spec_leaves.extend([spec] * len(jtu.tree_leaves(subtree, is_leaf=leaf_or_none)))

    try:
        jtu.tree_map(serve, filter_spec, pytree)
    except ValueError as error:
        raise ValueError(_MSG_SPEC.format(function=function, error=error)) from None
    return [
        (p, leaf, spec)
        for (p, leaf), spec in zip(pairs, spec_leaves, strict=True)
        if leaf is not None
    ]


_SUFFIX = ".eqx"
# A save in progress writes `.<name>.<pid>.<random>.tmp` beside its target.
_TEMPORARY_SUFFIX = ".tmp"


def checkpoint_path(path: str | os.PathLike[str]) -> pathlib.Path:
    """The file a path names: as given, with `.eqx` added where it has no suffix (as
    Equinox does, so ported code saves and loads under the same names)."""
    path = pathlib.Path(path)
    return path if path.suffix else path.with_suffix(_SUFFIX)


@contextlib.contextmanager
def _reading(path_or_file: Path | ReadableFile) -> Iterator[ReadableFile]:
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(checkpoint_path(path_or_file), "rb") as f:
            yield f
    else:
        yield path_or_file


@contextlib.contextmanager
def _writing(path_or_file: Path | WritableFile) -> Iterator[WritableFile]:
    """A file to write the checkpoint into. A path is written atomically: into a
    temporary file in the same folder, flushed to disk, then renamed over the
    target, so a save that is killed leaves the previous checkpoint whole."""
    if not isinstance(path_or_file, (str, os.PathLike)):
        yield path_or_file
        return
    target = checkpoint_path(path_or_file)
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=_TEMPORARY_SUFFIX
        )
    except OSError as error:
        # Named for the target, as `open(target, "wb")` would be: the temporary
        # file is ours, not a name the user knows.
        raise type(error)(error.errno, error.strerror, os.fspath(target)) from None
    try:
        with os.fdopen(handle, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)
    _remove_abandoned_saves(target)


def _fsync_folder(folder: pathlib.Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _remove_abandoned_saves(target: pathlib.Path) -> None:
    """Delete the temporary files that killed saves of `target` left behind: those
    whose writing process, on this machine, is gone."""
    for stray in target.parent.glob(f".{glob.escape(target.name)}.*{_TEMPORARY_SUFFIX}"):
        pid = stray.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            with contextlib.suppress(OSError):
                stray.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, and belongs to someone else
        return True
    return True


def _source_name(path_or_file: Path | ReadableFile | WritableFile) -> str:
    if isinstance(path_or_file, (str, os.PathLike)):
        return repr(os.fspath(checkpoint_path(path_or_file)))
    return getattr(path_or_file, "name", "<file object>")


def tree_serialise_leaves(
    path_or_file: Path | WritableFile,
    pytree: Any,
    filter_spec: Any = default_serialise_filter_spec,
    is_leaf: Callable[[Any], bool] | None = None,
) -> None:
    """Save the leaves of `pytree` to a path or a binary file object.

    Only leaves are saved, not the structure: load them with
    `tree_deserialise_leaves` into a `like` pytree of the same structure (for a
    model, one built with the same hyperparameters).

    Args:
        path_or_file: A path (its folder must exist; `.eqx` is appended to a
            name without a suffix) or a binary file open for writing. A path
            is written atomically: the checkpoint goes to a temporary file in
            the same folder, flushed to disk, which then replaces the target,
            so a save that is interrupted leaves the previous file as it was.
        pytree: Any pytree.
        filter_spec: How each leaf is written: a callable `(file, leaf) -> None`,
            or a pytree prefix of `pytree` with those at its leaves. The default
            saves arrays and scalars with `np.save` and skips other leaves.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Across several processes (`jax.distributed`), an array replicated over them
    is saved from the copy each process holds, so every process may save it (to
    a shared folder, call it from process 0 only); an array split across them
    is refused: save that model with orbax-checkpoint.

    Raises:
        ValueError: If `filter_spec` is not a prefix of `pytree`, or a leaf is an
            array split across processes.
    """
    entries = _leaves_with_specs(pytree, filter_spec, is_leaf, "tree_serialise_leaves")
    for key_path, leaf, spec in entries:
        if spec is default_serialise_filter_spec and _split_across_processes(leaf):
            target = _source_name(path_or_file)
            raise ValueError(
                _MSG_SPLIT_ACROSS_PROCESSES.format(target=target, path=_path_name(key_path))
            )
    header = json.dumps([_leaf_record(path, leaf, spec) for path, leaf, spec in entries]).encode()
    with _writing(path_or_file) as f:
        f.write(_MAGIC)
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for _, leaf, spec in entries:
            spec(f, leaf)


def tree_deserialise_leaves(
    path_or_file: Path | ReadableFile,
    like: _T,
    filter_spec: Any = default_deserialise_filter_spec,
    is_leaf: Callable[[Any], bool] | None = None,
) -> _T:
    """Load leaves saved by `tree_serialise_leaves` into the structure of `like`.

    Args:
        path_or_file: A path (`.eqx` is appended to a name without a suffix)
            or a binary file open for reading.
        like: A pytree of the saved structure: it supplies the structure and the
            leaves that were not saved; its array values are ignored.
        filter_spec: How each leaf is read: a callable `(file, like_leaf) -> leaf`,
            or a pytree prefix of `like` with those at its leaves. The default
            reads what the default of `tree_serialise_leaves` wrote, as the type
            and dtype of the leaf in `like`; for an array of `like` spread over
            several processes, each process places its own shards, in that
            array's layout.
        is_leaf: As in `jax.tree_util`: which nodes count as leaves.

    Returns:
        A pytree of `like`'s structure holding the loaded leaves.

    Raises:
        ValueError: If the file's leaves do not match `like` (another structure,
            shape or dtype; the first mismatching leaf is named), or the file is
            truncated, damaged, or not an equimod checkpoint. Nothing is loaded
            silently into the wrong place. The error is a `RuntimeError` too,
            which Equinox raises here, and opens with Equinox's words.
    """
    source = _source_name(path_or_file)
    entries = _leaves_with_specs(like, filter_spec, is_leaf, "tree_deserialise_leaves")
    expected = [_leaf_record(path, leaf, spec) for path, leaf, spec in entries]
    with _reading(path_or_file) as f:
        saved = _read_header(f, source)
        _check_header(source, saved, expected, [path for path, _, _ in entries])
        loaded = []
        for path, leaf, spec in entries:
            try:
                value = spec(f, leaf)
            except (EOFError, ValueError, OSError) as error:
                raise CheckpointError(
                    _MSG_TRUNCATED.format(source=source, path=_path_name(path), error=error)
                ) from None
            loaded.append(value)

    # `entries` holds the leaves of `like` that are not None, in order.
    values = iter(loaded)
    leaves, treedef = jtu.tree_flatten(like, is_leaf=none_or(is_leaf))
    return jtu.tree_unflatten(treedef, [None if x is None else next(values) for x in leaves])  # type: ignore[no-any-return]


def _read_header(f: ReadableFile, source: str) -> list[dict[str, Any]]:
    magic = f.read(len(_MAGIC))
    if magic != _MAGIC:
        if magic.startswith(_MAGIC_PREFIX):
            found = magic[len(_MAGIC_PREFIX) :].decode(errors="replace").strip()
            raise CheckpointError(
                _MSG_OTHER_FORMAT.format(source=source, found=found, ours=_FORMAT)
            )
        raise CheckpointError(_MSG_NOT_OURS.format(source=source))
    try:
        (length,) = struct.unpack("<Q", f.read(8))
        if length > _MAX_HEADER_BYTES:
            raise ValueError(f"it claims {length} bytes")
        text = f.read(length)
        if len(text) != length:
            raise ValueError(f"{len(text)} of its {length} bytes are present")
        saved = json.loads(text)
    except (struct.error, ValueError) as error:
        raise CheckpointError(
            _MSG_TRUNCATED.format(source=source, path="<header>", error=error)
        ) from None
    if not isinstance(saved, list) or not all(
        isinstance(record, dict) and isinstance(record.get("path"), str) for record in saved
    ):
        raise CheckpointError(_MSG_BAD_HEADER.format(source=source, problem="not a list of leaves"))
    return saved


def _check_header(
    source: str,
    saved: list[dict[str, Any]],
    expected: list[dict[str, Any]],
    key_paths: list[KeyPath],
) -> None:
    """Refuse a file whose leaves are not `like`'s. A custom filter_spec on either side
    decides itself what a leaf is on disk, so then the spec alone is in charge."""
    if any(record.get("kind") == "custom" for record in (*saved, *expected)):
        return
    for got, want, key_path in zip(saved, expected, key_paths, strict=False):
        mismatch = _MSG_STRUCTURE
        what = ""
        if got["path"] != want["path"]:
            detail = f"the file has leaf {got['path']} where `like` has {want['path']}"
        elif want["kind"] == "array" and got.get("kind") == "array":
            if got.get("shape") == want["shape"] and got.get("dtype") == want["dtype"]:
                continue
            mismatch = _MSG_CHANGED
            what = "dtype" if got.get("shape") == want["shape"] else "shape"
            detail = (
                f"the file has {got.get('dtype')}{tuple(got.get('shape') or ())}, `like` has "
                f"{want['dtype']}{tuple(want['shape'])}"
            )
        elif got.get("kind") != want["kind"]:
            detail = f"the file saved it as {got.get('kind')}, `like` expects {want['kind']}"
        else:
            continue
        raise CheckpointError(
            mismatch.format(
                source=source, raw=key_path, path=want["path"], what=what, detail=detail
            )
        )
    if len(saved) != len(expected):
        shorter = min(len(saved), len(expected))
        longer = saved if len(saved) > len(expected) else expected
        path = longer[shorter]["path"]
        raise CheckpointError(
            _MSG_COUNT.format(
                source=source,
                raw=key_paths[shorter] if longer is expected else path,
                saved=len(saved),
                expected=len(expected),
                path=path,
            )
        )
