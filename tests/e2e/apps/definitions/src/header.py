"""Not named by the CMakeLists: a header, compiled with its includer's definitions."""

from zpy.toolchain import compile_definition

ONE = 10
TWO = 20
HEADER_KIND = compile_definition("KIND", 0)
