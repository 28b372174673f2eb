"""The child process's side of a compiled kernel: numba compiles it ahead of time into an object file.

Only a build child imports this module (and numba). A kernel module (numba code) defines `compile_object()`, which
calls `compile_object(function, abi)` here: `entry(ptrs, lens)` calls `function` on the arrays at the addresses
`ptrs[i]` with the sizes `lens[i]`, in the order and dtypes of `abi`, and returns its int64.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
from llvmlite import ir
from numba import carray, types
from numba.core import cgutils
from numba.core.extending import intrinsic

from .cache import write_meta


@intrinsic
def as_voidptr(typingctx, address):  # noqa: ANN001, ANN201  (numba intrinsic)
    """An int64 address as a void pointer (for `carray`)."""
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(types.int64), codegen


@intrinsic
def mulhi(typingctx, a, b):  # noqa: ANN001, ANN201  (numba intrinsic)
    """The high 64 bits of the 128-bit product of two uint64 (one instruction on x86-64 and arm64)."""
    def codegen(context, builder, signature, args):  # noqa: ANN001, ANN202
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen


def entry_source(abi: tuple[tuple[str, type], ...]) -> str:
    """Source of `entry(ptrs, lens)`: the kernel on the arrays at the addresses ptrs[i] with lengths lens[i]."""
    views = ", ".join(f"carray(as_voidptr(ptrs[{i}]), (lens[{i}],), np.{np.dtype(dtype).name})"
                      for i, (_, dtype) in enumerate(abi))
    return f"def entry(ptrs, lens):\n    return kernel({views})\n"


def compile_object(function: Callable, abi: tuple[tuple[str, type], ...]) -> tuple[bytes, dict]:
    """Compile `entry` around the numba function for this machine: the object file and what loading it needs."""
    import llvmlite.binding as llvm

    namespace = {"kernel": function, "carray": carray, "as_voidptr": as_voidptr, "np": np}
    exec(entry_source(abi), namespace)  # noqa: S102  (generated from the abi; keeps both in one order)
    entry = numba.cfunc(types.int64(types.CPointer(types.int64), types.CPointer(types.int64)),
                        error_model="numpy")(namespace["entry"])
    module = entry._library._final_module  # the linked, optimised LLVM module
    target = llvm.Target.from_default_triple()
    machine = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                           features=llvm.get_host_cpu_features().flatten(), opt=3, reloc="pic",
                                           codemodel="default")
    undefined = sorted({f.name for f in module.functions if f.is_declaration and not f.name.startswith("llvm.")}
                       | {g.name for g in module.global_variables if g.is_declaration})
    return machine.emit_object(module), {"entry": entry.native_name, "undefined": undefined}


def main(argv: list[str]) -> int:
    """Child-process entry: `DEST KEY_JSON MODULE`: MODULE.compile_object() into DEST/kernel.o; meta.json last."""
    dest, key, module = Path(argv[0]), json.loads(argv[1]), argv[2]
    try:
        obj, meta = importlib.import_module(module).compile_object()
    except ImportError as exc:
        print(f"cannot compile {module}: {exc}", file=sys.stderr)
        return 1
    (dest / "kernel.o").write_bytes(obj)
    write_meta(dest, {**meta, "key": key})
    return 0
