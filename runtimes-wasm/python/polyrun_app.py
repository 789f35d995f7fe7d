# polyrun's Python app: the module `componentize-py` makes the grader's Python component
# from. Everything at top level runs once, at set-up, and lands in the component's
# pre-initialised snapshot: the modules the harness and the runner import, and both texts
# compiled. Each session then calls `run`, which runs one of them as `python -I -c` would.
import builtins
import io
import linecache
import math
import os
import sys
import time
import traceback

try:
    import _json  # noqa: F401 - the harness's JSON codec, imported ahead of time
except ImportError:  # pragma: no cover - the plain module then
    import json  # noqa: F401

from wit_world import exports
from wit_world.imports import environment
from wit_world.imports import exit as wasi_exit

_HERE = os.path.dirname(os.path.abspath(__file__))


def _compiled(name):
    with open(os.path.join(_HERE, name), encoding="utf-8") as f:
        return compile(f.read(), "<string>", "exec", dont_inherit=True)


HARNESS = _compiled("harness.txt")
RUNNER = _compiled("runner.txt")


def _exit(status):
    """`os._exit` with the program's status: wasi-libc's `_Exit` for WASI 0.2 passes on only
    success or failure (so `os._exit(7)` ended with 1). Like the original, it ends the
    program at once: no cleanup, no buffers flushed."""
    wasi_exit.exit_with_code(int(status) & 0xFF)


os._exit = _exit

# What set-up ran with stays out of the sessions: no environment variables, and only the
# standard library (mounted read-only at /python) on the import path.
os.environ.clear()
sys.path[:] = [p for p in sys.path if p == "/python" or p.startswith("/python/")]
sys.path_importer_cache.clear()
del io, math, time


def _status(exc):
    """The exit status CPython gives an uncaught SystemExit (printing its message)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1


def _session(args):
    """Runs the harness (`args` = [name]) or a whole program (`args` = [name, "run",
    source]) and returns the exit status."""
    # The snapshot froze the state of any module seeded at set-up: `random` draws its seed
    # again, from wasi:random, in every session.
    rng = sys.modules.get("random")
    if rng is not None:
        rng.seed()
    if args[1:2] == ["run"] and len(args) == 3:
        code, sys.argv = RUNNER, ["-c", args[2]]
    else:
        code, sys.argv = HARNESS, ["-c"]
    module = type(sys)("__main__")
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    main = module.__dict__
    try:
        exec(code, main)
        return 0
    except SystemExit as exc:
        return _status(exc)
    except BaseException as exc:  # noqa: BLE001 - like `python -c`: a traceback, status 1
        try:
            traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        except BaseException:  # noqa: BLE001
            pass
        return 1


class Run(exports.Run):
    def run(self) -> None:
        status = _session(list(environment.get_arguments()))
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - e.g. the output cap closed the stream
                pass
        linecache.clearcache()
        if status:
            wasi_exit.exit_with_code(status)
