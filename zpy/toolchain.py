"""Compile definitions: the -D macros of the build, as an image's Python sources see them.

A CMakeLists.txt gives its target's C code macros (`zephyr_compile_definitions(
FORKS=${FORKS})`, `target_compile_definitions(app PRIVATE SAME_PRIO)`), which the C
code reads with its preprocessor. A port reads them with compile_definition(),
one line for C's three:

    #ifndef FORKS                     FORKS = compile_definition("FORKS", MUTEXES)
    #define FORKS MUTEXES
    #endif
    #ifdef DEBUG_PRINTF               if defined("DEBUG_PRINTF"):

A definition's text becomes a Python value the way C would read it: `-DX` is 1;
an integer (`42`, `0x2a`, `052`, `42U`), a floating-point number, a string literal
(`"abc"`) or a character (`'a'`, its code) is that value; a name (`FORKS=SEMAPHORES`)
is the value that name has in the calling module's globals (a macro of the source,
`SEMAPHORES = 1` above the call), else that of the compile definition of that
name; an empty definition (`-DX=`) is "". Anything else (an expression) is a
LinkError naming the CMakeLists line: write the value in Python instead.

Which macros a source sees is its target's (image.json's compile_definitions):
the linker hands each module of the image its own, in its globals, so two images
in one process see each their own build's, and a file that is no source of the
image (a header-like module beside one) sees those of the source that imports it.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from zpy.errors import LinkError
from zpy.image.manifest import CompileDefinition

__all__ = ["compile_definition", "defined"]

#: The global of each image module that holds its compile definitions (set by the linker).
DEFINITIONS = "__compile_definitions__"

_NOT_GIVEN: Any = object()
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uU]?[lL]{0,2}|"
                      r"[lL]{1,2}[uU])")
_FLOAT = re.compile(r"(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?[fFlL]?")


def compile_definition(name: str, default: Any = _NOT_GIVEN) -> Any:
    """The value of the compile definition `name`, else `default` (C's `#ifndef name /
    #define name default`). Without a default, a missing definition is a LinkError, as
    C's use of an undeclared name."""
    caller = sys._getframe(1)
    definitions = _definitions(caller, "compile_definition")
    definition = definitions.get(name)
    if definition is None:
        if default is _NOT_GIVEN:
            raise LinkError(f"'{name}' undeclared: no compile definition of this image's "
                            "CMakeLists files defines it", caller.f_code.co_filename,
                            caller.f_lineno)
        return default
    return _value(definition, caller, definitions, (name,))


def defined(name: str) -> bool:
    """True if a compile definition defines `name` (C's `defined(name)`, `#ifdef name`)."""
    return name in _definitions(sys._getframe(1), "defined")


def _definitions(caller: FrameType, what: str) -> Mapping[str, CompileDefinition]:
    definitions = caller.f_globals.get(DEFINITIONS)
    if definitions is None:
        raise LinkError(f"{what}() is for the sources of an image: "
                        f"{Path(caller.f_code.co_filename).name} was not linked by zpy run",
                        caller.f_code.co_filename, caller.f_lineno)
    return definitions


def _value(definition: CompileDefinition, caller: FrameType,
           definitions: Mapping[str, CompileDefinition], expanding: tuple[str, ...]) -> Any:
    text = definition.value.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    sign, digits = (text[0], text[1:].strip()) if text[:1] in ("+", "-") else ("", text)
    if (m := _INTEGER.fullmatch(digits)) is not None:
        number = m.group(1)
        value = int(number, 8) if re.fullmatch(r"0[0-7]+", number) else int(number, 0)
        return -value if sign == "-" else value
    if _FLOAT.fullmatch(digits) is not None:
        return float(sign + digits.rstrip("fFlL"))
    if not sign and (text.startswith('"') and text.endswith('"') and len(text) > 1
                     or re.fullmatch(r"'(\\.[^']*|[^'\\])'", text)):
        try:
            literal = ast.literal_eval(text)
        except (SyntaxError, ValueError):
            raise _bad(definition, "its string or character literal is not valid") from None
        return ord(literal) if text.startswith("'") else literal
    if not sign and _NAME.fullmatch(text):
        return _name(text, definition, caller, definitions, expanding)
    if not text:
        return ""
    raise _bad(definition, "zpy reads a number, a string or character literal or a name "
                           "there; write the value in Python instead")


def _name(name: str, definition: CompileDefinition, caller: FrameType,
          definitions: Mapping[str, CompileDefinition], expanding: tuple[str, ...]) -> Any:
    """A name in a definition: the caller's macro (a global) of that name, else the compile
    definition of that name (a name being expanded does not expand again, as in C)."""
    if name in caller.f_globals:
        return caller.f_globals[name]
    other = definitions.get(name)
    if other is not None and name not in expanding:
        return _value(other, caller, definitions, (*expanding, name))
    source = Path(caller.f_code.co_filename).name
    raise _bad(definition, f"{source}:{caller.f_lineno} reads it, but {name} is defined "
                           f"neither in {source} above that line nor by a compile definition")


def _bad(definition: CompileDefinition, why: str) -> LinkError:
    return LinkError(f"compile definition {definition}: {why}", definition.file,
                     definition.line)
