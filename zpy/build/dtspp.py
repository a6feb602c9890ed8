"""Run the C preprocessor over the board .dts and the overlays, as Zephyr does.

Every file is force-included (-include), in order, into an empty translation
unit, so later overlays see the labels and macros of earlier files. Unlike
Zephyr we keep GCC's line markers (no -P): dtlib follows them, so its errors
name the user's file and line instead of a line of zephyr.dts.pre.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from zpy.build import environ
from zpy.errors import BuildError, DTSError

#: GCC line marker: # <line> "<file>" <flags>
_LINEMARKER = re.compile(r'^# (\d+) "((?:[^"\\]|\\.)*)"((?: \d+)*)$')
#: first "file:line:col: error: message" line of cpp's output
_CPP_ERROR = re.compile(r"^(.+?):(\d+):(?:\d+:)? (?:fatal error|error): (.*)$")


@dataclass(frozen=True)
class Preprocessed:
    output: Path
    #: every file cpp read (the -MD list), without the empty translation unit
    deps: list[Path]


def find_cpp() -> list[str]:
    """The preprocessor command: $CPP, cpp, or the C compiler with -E."""
    cpp = environ.getenv("CPP")
    if cpp:
        return cpp.split()
    exe = shutil.which("cpp")
    if exe:
        return [exe]
    for name in (environ.getenv("CC") or "", "cc", "gcc", "clang"):
        exe = shutil.which(name) if name else None
        if exe:
            return [exe, "-E"]
    raise BuildError("no C preprocessor found for the devicetree (install cpp or gcc)")


def preprocess(sources: list[Path], include_dirs: list[Path], output: Path, deps_file: Path,
               empty_file: Path) -> Preprocessed:
    """Preprocess `sources` into `output`; a cpp error becomes one DTSError with cpp's file:line."""
    with start(sources, include_dirs, output, deps_file, empty_file) as cpp:
        return cpp.result()


def start(sources: list[Path], include_dirs: list[Path], output: Path, deps_file: Path,
          empty_file: Path) -> CppRun:
    """Start preprocessing `sources` into `output`; CppRun.result() waits for it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    empty_file.parent.mkdir(parents=True, exist_ok=True)
    empty_file.write_text("")
    cmd = [*find_cpp(), "-x", "assembler-with-cpp", "-nostdinc", "-undef", "-D__DTS__"]
    for d in include_dirs:
        cmd += ["-isystem", str(d)]
    for src in sources:
        cmd += ["-include", str(src)]
    raw = output.with_name(output.name + ".raw")
    cmd += ["-MD", "-MF", str(deps_file), "-o", str(raw), str(empty_file)]
    try:
        # errors="replace": cpp quotes the offending line, which may not be UTF-8
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, errors="replace", env=environ.snapshot())
    except OSError as e:
        raise BuildError(f"cannot run the C preprocessor '{cmd[0]}': {e.strerror}") from None
    return CppRun(proc, raw, output, deps_file, empty_file)


@dataclass
class CppRun:
    """cpp working in the background, so that the build loads edtlib and kconfiglib meanwhile."""

    proc: subprocess.Popen[str]
    raw: Path
    output: Path
    deps_file: Path
    empty_file: Path

    def result(self) -> Preprocessed:
        _, stderr = self.proc.communicate()
        if self.proc.returncode != 0:
            raise _cpp_error(stderr, self.proc.returncode)
        text = _decode(self.raw.read_bytes())
        self.output.write_text(_strip_markers(text, str(self.empty_file)))
        self.raw.unlink()
        deps = [p for p in parse_deps(self.deps_file.read_text()) if p != self.empty_file]
        return Preprocessed(self.output, deps)

    def __enter__(self) -> CppRun:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:  # the build failed before it needed the output
            self.proc.kill()
            self.proc.communicate()


def _cpp_error(stderr: str, returncode: int) -> DTSError:
    for line in stderr.splitlines():
        m = _CPP_ERROR.match(line)
        if m:
            return DTSError(m.group(3), filename=m.group(1), lineno=int(m.group(2)))
    first = next((ln for ln in stderr.splitlines() if ln.strip()), f"exit status {returncode}")
    return DTSError(f"C preprocessor failed: {first}")


def _decode(data: bytes) -> str:
    """cpp's output as text; a byte that is not UTF-8 is a DTSError at the source line it came
    from (the line markers above it say which file and line)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        lines = data[: e.start].split(b"\n")
        bad = len(lines) - 1  # the output line holding the byte
        for i in range(bad - 1, -1, -1):
            m = _LINEMARKER.match(lines[i].decode("utf-8", "replace"))
            if m:
                raise DTSError(f"not UTF-8 text (byte 0x{data[e.start]:02x})", m.group(2),
                               int(m.group(1)) + bad - i - 1) from None
        raise DTSError(f"the devicetree sources are not UTF-8 text (byte "
                       f"0x{data[e.start]:02x})") from None


def _strip_markers(text: str, empty_file: str) -> str:
    """Drop line markers of cpp's own pseudo-files and of the empty unit.

    What remains names only real source files, so an error at the very end of the
    input (an unclosed node) is reported at the end of the last overlay rather
    than in the empty translation unit.
    """
    fake = {"<built-in>", "<command-line>", empty_file}
    out = []
    for line in text.splitlines(keepends=True):
        m = _LINEMARKER.match(line.rstrip("\n"))
        if m and m.group(2) in fake:
            continue
        out.append(line)
    return "".join(out)


def parse_deps(text: str) -> list[Path]:
    """The prerequisites of a make-style dependency file written by -MD."""
    text = text.replace("\\\n", " ")
    _, _, rest = text.partition(": ")
    words = re.findall(r"(?:\\.|[^\s\\])+", rest)
    return [Path(re.sub(r"\\(.)", r"\1", w)).resolve() for w in words]
