"""Compiling the kernels at first use into a private cache, and loading them through ``ctypes``
(:mod:`lifstab.native` describes the cache and its safeguards)."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import platform
import shlex
import shutil
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Optional

import torch

from .._generated import lif_c
from . import source
from .source import DTYPES

#: optimisation flags; ``-march=native`` is dropped when the compiler rejects it. No contraction into
#: fused multiply-adds, so that the voltage update rounds as torch's separate operations do.
FLAGS = ("-O3", "-march=native", "-std=c99", "-ffp-contract=off", "-shared", "-fPIC")


def _cpu_signature() -> str:
    """What ``-march=native`` compiles for: the machine and, on Linux, the CPU's feature flags."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        flags = ""
    return platform.machine() + flags


def cache_dir() -> Path:
    explicit = os.environ.get("LIFSTAB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lifstab"


def _refuse_untrusted(path: Path, what: str) -> None:
    """Raise OSError when another user could have written ``path``: not owned by this user, or writable
    by group or others (the checks careful caches make before loading code)."""
    info = path.stat()
    getuid = getattr(os, "getuid", None)  # absent on Windows, where POSIX ownership does not apply
    if getuid is not None and info.st_uid != getuid():
        raise OSError(f"the kernel cache {what} {path} is owned by uid {info.st_uid}, not by this user "
                      f"(uid {getuid()}); refused. Set LIFSTAB_CACHE_DIR to a directory of your own")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OSError(f"the kernel cache {what} {path} is writable by group or others (mode "
                      f"{stat.S_IMODE(info.st_mode):o}); refused. Run chmod go-w on it, or set LIFSTAB_CACHE_DIR")


def private_cache_dir() -> Path:
    """``cache_dir()``, created 0700 when missing; OSError when it is not private (``_refuse_untrusted``)."""
    directory = cache_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _refuse_untrusted(directory, "directory")
    return directory


def compiler_command() -> list[str]:
    """The C compiler as a command line: ``$CC`` split as a shell would (``ccache gcc``), else ``cc`` or
    ``gcc`` from the PATH."""
    configured = os.environ.get("CC", "").strip()
    if configured:
        try:
            command = shlex.split(configured)
        except ValueError as err:
            raise OSError(f"CC={configured!r} is not a valid command line ({err})") from None
        return command
    found = shutil.which("cc") or shutil.which("gcc")
    if found is None:
        raise OSError("no C compiler found (set CC)")
    return [found]


@functools.lru_cache(maxsize=None)
def compiler_version(command: tuple[str, ...]) -> str:
    """What ``command --version`` prints (part of the cache key: an upgraded compiler compiles again)."""
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    return f"{done.returncode}\n{done.stdout}{done.stderr}"


def cache_key(compiler: list[str]) -> str:
    """The compiled library's name: a hash of the source, the compiler command and its version string,
    the flags and the CPU."""
    parts = (source.SOURCE, *compiler, compiler_version(tuple(compiler)), *FLAGS, _cpu_signature())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _compile(compiler: list[str], target: Path) -> None:
    """Compile SOURCE into ``target`` atomically (concurrent processes may compile the same file)."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        path = Path(tmp) / "kernels.c"
        path.write_text(source.SOURCE)
        built = Path(tmp) / target.name
        for flags in (FLAGS, tuple(f for f in FLAGS if f != "-march=native")):
            done = subprocess.run([*compiler, *flags, str(path), "-o", str(built)], capture_output=True,
                                  text=True, timeout=120)
            if done.returncode == 0:
                os.chmod(built, 0o700)
                os.replace(built, target)
                return
        raise OSError(f"{shlex.join(compiler)} failed: {done.stderr.strip()[-500:]}")


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    p, i = ctypes.c_void_p, ctypes.c_int64
    signatures = {"sparse_rows": ([p, i, i, p, p, p, i], i),
                  "sparse_rows_times_matrix": ([p, p, p, i, p, i, p, i, p], None),
                  "sparse_rows_transposed_times": ([p, p, p, i, p, i, p], None),
                  "rows_times_matrix": ([p, i, i, p, i, p, i, p, i], i),
                  "transposed_times": ([p, i, i, p, i, p], i)}
    signatures.update({f"lif_forward_{reset}": ([p, i, i, i, p, p, p, p, p, p, p, p, i], i)
                       for reset in lif_c.EXPRESSIONS})
    signatures.update({f"lif_backward_step_{reset}": ([i, i] + [p] * 12 + [i] + [p] * 4, None)
                       for reset in lif_c.EXPRESSIONS})
    for ctype in DTYPES.values():
        for name, (argtypes, restype) in signatures.items():
            kernel = getattr(lib, f"{name}_{ctype}")
            kernel.argtypes, kernel.restype = argtypes, restype
    return lib


@functools.lru_cache(maxsize=None)
def kernels() -> Optional[ctypes.CDLL]:
    """The compiled kernels, compiled at first use; None (after one warning) when that is not possible,
    or when ``LIFSTAB_NATIVE=0``."""
    if os.environ.get("LIFSTAB_NATIVE", "1") == "0":
        return None
    try:
        compiler = compiler_command()
        target = private_cache_dir() / f"lifstab_kernels_{cache_key(compiler)}.so"
        if not target.exists():
            _compile(compiler, target)
        _refuse_untrusted(target, "file")
        return _declare(ctypes.CDLL(str(target)))
    except (OSError, subprocess.SubprocessError, AttributeError) as err:
        warnings.warn(f"lifstab: the compiled sparse kernels are unavailable ({err}); torch's dense products "
                      "are used instead", RuntimeWarning, stacklevel=2)
        return None


def available(*tensors: torch.Tensor) -> bool:
    """Whether the kernels can take these tensors: compiled, on CPU, one supported dtype, strided."""
    dtype = tensors[0].dtype
    if dtype not in DTYPES or any(t.device.type != "cpu" or t.dtype != dtype or t.layout != torch.strided
                                  for t in tensors):
        return False
    return kernels() is not None

