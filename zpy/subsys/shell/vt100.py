"""VT100 codes and the shell's colours (subsys/shell/shell_vt100.h, enum shell_vt100_color).

Colour values are the VT100 colour numbers, so an escape is "ESC[1;3<n>m".
"""

from __future__ import annotations

SHELL_VT100_COLOR_BLACK = 0
SHELL_VT100_COLOR_RED = 1
SHELL_VT100_COLOR_GREEN = 2
SHELL_VT100_COLOR_YELLOW = 3
SHELL_VT100_COLOR_BLUE = 4
SHELL_VT100_COLOR_MAGENTA = 5
SHELL_VT100_COLOR_CYAN = 6
SHELL_VT100_COLOR_WHITE = 7
SHELL_VT100_COLOR_DEFAULT = 8
VT100_COLOR_END = 9

SHELL_NORMAL = SHELL_VT100_COLOR_DEFAULT
SHELL_INFO = SHELL_VT100_COLOR_GREEN
SHELL_OPTION = SHELL_VT100_COLOR_CYAN
SHELL_WARNING = SHELL_VT100_COLOR_YELLOW
SHELL_ERROR = SHELL_VT100_COLOR_RED

ESC = 0x1B
DEL = 0x7F
BSPACE = 0x08
CTRL_A, CTRL_B, CTRL_C, CTRL_D, CTRL_E, CTRL_F = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
CTRL_K, CTRL_L, CTRL_N, CTRL_P, CTRL_U, CTRL_W = 0x0B, 0x0C, 0x0E, 0x10, 0x15, 0x17
ALT_B, ALT_F, ALT_R = ord("b"), ord("f"), ord("r")

CLEAREOS = "\x1b[J"
SAVECURSOR = "\x1b7"
RESTORECURSOR = "\x1b8"
CURSORHOME = "\x1b[H"
CLEARSCREEN = "\x1b[2J"
MODESOFF = "\x1b[m"
SETCOL_80 = "\x1b[?3l"
GETCURSOR = "\x1b[6n"


def color(col: int) -> str:
    """The escape that selects bold foreground colour `col`."""
    return f"\x1b[1;3{col}m"
