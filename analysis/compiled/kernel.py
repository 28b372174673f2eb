"""The caller's side of a compiled kernel: find it in the cache (compile it there first, in a child process, when
missing), link its object file with llvmlite's ORC JIT and call it through ctypes. numba is never imported here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import platform
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from .. import config
from ..errors import AnalysisError
from .cache import build_in_child, valid

log = logging.getLogger(__name__)

Abi = tuple[tuple[str, type], ...]


def kernel_key(module: str, abi: Abi) -> dict:
    """What a compiled kernel depends on: its module's source, the compiler's, its abi, numba, llvmlite, Python and
    the CPU."""
    try:
        import llvmlite
        import llvmlite.binding as llvm
    except ImportError:
        raise AnalysisError("llvmlite is not installed; install the locked dependencies with `make install`") from None
    try:
        numba_version = version("numba")
    except PackageNotFoundError:
        numba_version = "not installed"  # a cached kernel still matches nothing; building it says what is missing
    spec = importlib.util.find_spec(module)
    source = Path(spec.origin).read_bytes() + Path(__file__).with_name("aot.py").read_bytes() + repr(abi).encode()
    return {
        "kernel": hashlib.sha256(source).hexdigest(), "numba": numba_version, "llvmlite": llvmlite.__version__,
        "python": platform.python_version(), "machine": platform.machine(), "cpu": llvm.get_host_cpu_name(),
        "features": llvm.get_host_cpu_features().flatten(),
    }


def ensure_kernel(module: str, abi: Abi, name: str, what: str, hint: str, cache_root: Path | None = None) -> Path:
    """The cache folder of `module`'s kernel compiled for this machine, compiled first (child process) when missing.

    `name` prefixes the folder (<cache>/kernel/<name>-<16 hex digits of the key>); `what` and `hint` go into the
    message when compiling fails.
    """
    cache_root = Path(cache_root) if cache_root is not None else config.cache_dir()
    key = kernel_key(module, abi)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    folder = cache_root / "kernel" / f"{name}-{digest}"
    if not valid(folder, key):
        build_in_child(folder, key, "analysis.compiled.aot", [module], what, hint)
    return folder


def load_kernel(module: str, abi: Abi, name: str, what: str, hint: str, cache_root: Path | None = None) -> Kernel:
    """`module`'s kernel for this machine, loaded from the cache (compiled first when missing; compiled again, once,
    when its folder is damaged)."""
    folder = ensure_kernel(module, abi, name, what, hint, cache_root)
    try:
        return Kernel(folder, abi)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        log.warning("compiling %s again: its cache folder %s is damaged (%s)", what, folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
    folder = ensure_kernel(module, abi, name, what, hint, cache_root)
    try:
        return Kernel(folder, abi)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise AnalysisError(f"cannot load {what} from {folder} ({exc}); delete that folder, or {hint}") from None


class Kernel:
    """A compiled kernel, linked from its object file by llvmlite's ORC JIT, called through ctypes."""

    def __init__(self, folder: Path, abi: Abi) -> None:
        import ctypes

        import llvmlite.binding as llvm

        self.abi, self.folder = abi, folder
        self.slots = {name: i for i, (name, _) in enumerate(abi)}
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        self._jit = llvm.create_lljit_compiler()
        builder = llvm.JITLibraryBuilder().add_object_img((folder / "kernel.o").read_bytes()).add_current_process()
        # numba's exception and reference-counting helpers live in numba's extension modules, which are not loaded
        # here. A kernel never reaches them (it raises nothing and holds no reference-counted memory), so they
        # are bound to abort() for the linker's sake.
        try:
            stub = ctypes.cast(ctypes.CDLL(None).abort, ctypes.c_void_p).value
        except (OSError, AttributeError):
            stub = ctypes.cast(ctypes.pythonapi.Py_FatalError, ctypes.c_void_p).value
        for undefined in meta["undefined"]:
            if undefined.startswith(("numba_", "NRT_")):
                builder.import_symbol(undefined, stub)
        builder.export_symbol(meta["entry"])
        self._tracker = builder.link(self._jit, folder.name)
        self._fn = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)(self._tracker[meta["entry"]])

    def __call__(self, ptrs: np.ndarray, lens: np.ndarray) -> int:
        """Run the kernel on the arrays at addresses ptrs with sizes lens (in the abi's order)."""
        return int(self._fn(ptrs.ctypes.data, lens.ctypes.data))

    def call(self, arrays: dict[str, np.ndarray]) -> int:
        """Run the kernel on these arrays, one per name of the abi (each C-contiguous, of the abi's dtype)."""
        ptrs = np.zeros(len(self.abi), dtype=np.int64)
        lens = np.zeros(len(self.abi), dtype=np.int64)
        for name, dtype in self.abi:
            arr = arrays[name]
            if arr.dtype != dtype or not arr.flags.c_contiguous:
                raise ValueError(f"kernel argument {name}: {arr.dtype}, expected contiguous {np.dtype(dtype)}")
            ptrs[self.slots[name]], lens[self.slots[name]] = arr.ctypes.data, arr.size
        return self(ptrs, lens)
