"""Compiled kernels: numba code compiled ahead of time, once per machine, into an object file in the cache, then
linked with llvmlite and called through ctypes, so that no analysing process imports numba.

`cache.py` builds cache folders in a child process and publishes them atomically; `aot.py` (the child's side, the only
module here that imports numba) compiles a kernel; `kernel.py` (the caller's side) finds, builds and loads one.
"""
