"""The app folder: prj.conf, overlays, an optional Kconfig and CMakeLists.txt, and src/*.py.

The checks here are the ones a C build gets from its compiler and linker: a
syntax error in a source file, and an image without main() (or with two). They
read the sources with `ast` and never import them: the build must not run app code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from zpy.errors import BuildError
from zpy.image.manifest import ImageModule


@dataclass(frozen=True)
class App:
    dir: Path

    @property
    def src(self) -> Path:
        return self.dir / "src"

    @property
    def main_py(self) -> Path:
        return self.src / "main.py"

    @property
    def kconfig(self) -> Path:
        """The app's own top-level Kconfig (it may not exist)."""
        return self.dir / "Kconfig"

    @property
    def cmakelists(self) -> Path:
        """The app's CMakeLists.txt (it may not exist: then src/*.py are its sources)."""
        return self.dir / "CMakeLists.txt"

    @property
    def bindings(self) -> Path:
        return self.dir / "dts/bindings"

    @property
    def dts_include(self) -> Path:
        return self.dir / "dts/include"

    def sources(self) -> list[Path]:
        """src/*.py, main.py first, then by name."""
        others = sorted(p for p in self.src.glob("*.py") if p.name != "main.py")
        return [self.main_py, *others]


def find_app(folder: Path) -> App:
    """The app in `folder`; an error unless it exists and has src/main.py."""
    folder = Path(folder).expanduser().absolute()
    if not folder.is_dir():
        raise BuildError(f"app folder not found: {folder}")
    app = App(folder.resolve())
    if not app.main_py.is_file() and not app.cmakelists.is_file():
        raise BuildError(
            "app has no src/main.py",
            filename=app.dir,
            hint="an app is a folder with prj.conf and src/main.py defining main() (or a "
            "CMakeLists.txt naming its sources)",
        )
    return app


def check_sources(app: App, app_sources: list[ImageModule], others: list[ImageModule],
                  has_ztest: bool) -> None:
    """Parse the app's sources and `others` (the modules'); the app's define one top-level
    main(), unless ztest provides it."""
    for module in others:
        _parse(Path(module.path))
    if app.cmakelists.is_file() and not app_sources:
        raise BuildError("No SOURCES given to target: app", filename=app.cmakelists,
                         hint="name them: target_sources(app PRIVATE src/main.c)")
    mains = [Path(m.path) for m in app_sources if _defines_main(_parse(Path(m.path)))]
    if len(mains) > 1:
        raise BuildError(f"multiple definition of `main'; first defined in {mains[0]}",
                         filename=mains[1])
    if mains or has_ztest:
        return
    if not app.cmakelists.is_file():
        raise BuildError(
            "undefined reference to 'main': src/main.py has no top-level 'def main()'",
            filename=app.main_py,
            hint="define main(), or set CONFIG_ZTEST=y for a ztest app",
        )
    raise BuildError(
        "undefined reference to 'main': no source of the app defines a top-level 'def main()'",
        filename=app.cmakelists,
        hint="define main() in one of the sources target_sources(app ...) names, or set "
        "CONFIG_ZTEST=y for a ztest app",
    )


def _parse(path: Path) -> ast.Module:
    try:
        source = path.read_bytes()
        return ast.parse(source, filename=str(path))
    except SyntaxError as e:
        raise BuildError(f"SyntaxError: {e.msg}", filename=path, lineno=e.lineno) from None
    except (OSError, ValueError) as e:  # unreadable, or NUL bytes
        raise BuildError(f"cannot read source: {e}", filename=path) from None


def _defines_main(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.FunctionDef) and node.name == "main"
        for node in tree.body
    )
