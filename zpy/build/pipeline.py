"""`zpy build` as a library call: configure, generate, "link", remember.

The steps are Zephyr's, in Zephyr's order:
  1. devicetree: cpp over the board .dts and overlays, then edtlib
     -> zephyr.dts, edt.pickle, devicetree_generated.json
  2. Kconfig.dts from the binding folders (DT_HAS_<COMPAT>_ENABLED), and
     Kconfig.modules from the Zephyr modules (ZEPHYR_EXTRA_MODULES)
  3. Kconfig, which sees the devicetree through the dt_* functions
     -> .config, autoconf.h
  4. the image: the sources the CMakeLists files (zpy's, the modules', the
     app's) select for that .config -> image.json
The library never prints: it reports through the `out` and `warn` callables
the caller passes, and fails with a ZpyError.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import zpy
from zpy.build import builddir, environ, inputs
from zpy.build.app import App, check_sources, find_app
from zpy.build.board import Board, find_board
from zpy.build.builddir import BuildInfo
from zpy.build.modules import ZephyrModule, find_modules, kconfig_modules, module_variables
from zpy.build.options import BuildOptions, parse_cmake_args
from zpy.build.paths import BuildPaths, zephyr_base
from zpy.errors import BuildError, OutputError
from zpy.image.manifest import ImageManifest

if TYPE_CHECKING:
    from zpy.build.sources import ModuleTable

Log = Callable[[str], None]

PRISTINE = ("auto", "always", "never")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class BuildResult:
    build_dir: Path
    board: str
    app_dir: Path
    #: True when nothing had changed and the build did nothing
    up_to_date: bool
    manifest: ImageManifest
    warnings: list[str] = field(default_factory=list)

    @property
    def paths(self) -> BuildPaths:
        return BuildPaths(self.build_dir)


@dataclass
class _Request:
    """One build, resolved: which app, board, options and folders."""

    app: App
    board: Board
    options: BuildOptions
    paths: BuildPaths
    base: Path
    modules: list[ZephyrModule] = field(default_factory=list)

    @property
    def settings(self) -> list[list[str]]:
        return [[k, v] for k, v in self.options.defines]

    @property
    def dts_roots(self) -> list[Path]:
        """Zephyr's DTS_ROOT: the app, each module's dts_root, ZEPHYR_BASE."""
        return [self.app.dir, *(m.dts_root for m in self.modules if m.dts_root), self.base]

    @property
    def bindings_dirs(self) -> list[Path]:
        return [root / "dts/bindings" for root in self.dts_roots
                if (root / "dts/bindings").is_dir() or root == self.base]

    @property
    def dts_include_dirs(self) -> list[Path]:
        dirs = [d for d in (r / "dts/include" for r in self.dts_roots[:-1]) if d.is_dir()]
        return [*dirs, self.base / "dts/include", self.board.dir]

    @property
    def kconfig_top(self) -> Path:
        return self.app.kconfig if self.app.kconfig.is_file() else self.base / "Kconfig"


def build(
    app: Path | str | None = None,
    board: str | None = None,
    build_dir: Path | str = "build",
    pristine: str = "auto",
    cmake_args: Sequence[str] = (),
    out: Log = print,
    warn: Log | None = None,
) -> BuildResult:
    """Build `app` for `board` into `build_dir`, as `west build` would; see docs/build.md.

    app: defaults to the app the build folder was made for, else the current folder.
    board: defaults to -DBOARD, then $BOARD, then the build folder's board.
    cmake_args: the -D options after `--`. Without any, a build folder reuses the
    options of its previous build (as CMake's cache would).
    """
    warnings: list[str] = []

    def warn_line(line: str) -> None:
        warnings.append(line)
        (warn or _stderr)(line)

    if pristine not in PRISTINE:
        raise BuildError(f"invalid pristine mode '{pristine}' (expected auto, always or never)")
    root = Path(build_dir).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise BuildError(f"build folder {root} is a file, not a folder",
                         hint="use -d to choose another build folder")
    paths = BuildPaths(root)
    try:
        info = BuildInfo.load(paths)
    except OutputError as e:
        if pristine != "always":
            e.hint = f"rebuild it: zpy build -p always -b BOARD -d {build_dir} APP"
            raise
        info = None  # about to be wiped
    options = parse_cmake_args(cmake_args)
    app_dir = Path(app) if app is not None else Path(info.app) if info else Path.cwd()
    the_app = find_app(app_dir)
    board_name = (board or options.board or environ.getenv("BOARD")
                  or (info.board if info else None))
    if not board_name:
        raise BuildError("no board given", hint="use -b BOARD (or set BOARD)")
    if (not cmake_args and info is not None and pristine != "always"
            and (info.app, info.board) == (str(the_app.dir), board_name)):
        # CMake's cache: a rebuild without -D options reuses the last ones
        options = BuildOptions(tuple((k, v) for k, v in info.settings))
    base = zephyr_base()
    zephyr_modules = find_modules(options.extra_modules, the_app.dir)
    board_roots = [m.board_root for m in zephyr_modules if m.board_root is not None]
    the_board = find_board(board_name, [the_app.dir, *board_roots, base])
    req = _Request(the_app, the_board, options, paths, base, zephyr_modules)

    info = _apply_pristine(pristine, info, req, out)
    for w in options.warnings():
        warn_line(f"warning: {w}")
    confs = inputs.conf_files(the_app, the_board, options)
    dts = inputs.dts_files(the_app, the_board, options)

    changed = builddir.changed_inputs(info, paths, the_app.dir, the_board.name, req.settings,
                                      zpy.__version__)
    if changed == []:
        out(f"-- {root} is up to date: no work to do.")
        return BuildResult(root, the_board.name, the_app.dir, True,
                           ImageManifest.load(paths.image_json), warnings)
    last = _last_image(paths) if changed else None
    if info is not None and last is not None and _only_sources(changed or [], the_app, last):
        manifest = _relink(req, info, last, out, warn_line)
    else:
        manifest = _full_build(req, info, confs, dts, out, warn_line)
    return BuildResult(root, the_board.name, the_app.dir, False, manifest, warnings)


def _last_image(paths: BuildPaths) -> ImageManifest | None:
    try:
        return ImageManifest.load(paths.image_json)
    except OutputError:
        return None  # a broken image.json: the full build writes a new one


def _sources(manifest: ImageManifest) -> set[str]:
    """The app's and the modules' source files an image links."""
    return {m.path for m in manifest.app_sources + manifest.module_sources}


def _only_sources(changed: list[str], app: App, last: ImageManifest) -> bool:
    """Did only sources the last image linked change, or the files in the app's src/? Then
    the devicetree, the Kconfig and their outputs stand, and only the image is linked again."""
    sources = _sources(last)
    return all(name in sources or name == str(app.src) for name in changed)


def _relink(req: _Request, info: BuildInfo, last: ImageManifest, out: Log,
            warn: Log) -> ImageManifest:
    """Check and link the sources again (as ninja recompiles one C file and links)."""
    manifest, table = _link(req, warn)
    _say_linked(req, manifest, out)
    for name in _sources(last) - _sources(manifest):  # no input any more
        info.files.pop(name, None)
        info.stamps.pop(name, None)
    info.record_files(Path(m.path) for m in manifest.app_sources + manifest.module_sources)
    info.record_folders([req.app.src, *table.globbed])
    info.save(req.paths)
    return manifest


def _say_linked(req: _Request, manifest: ImageManifest, out: Log) -> None:
    n_zpy, n_mod, n_app = (len(manifest.modules), len(manifest.module_sources),
                           len(manifest.app_sources))
    total = n_zpy + n_mod + n_app
    from_modules = f", {n_mod} from modules" if req.modules else ""
    out(f"[{total}/{total}] Linking image: {total} modules ({n_zpy} zpy{from_modules}, "
        f"{n_app} app) -> {req.paths.image_json}")


def menuconfig(build_dir: Path | str = "build", gui: bool = False, out: Log = print,
               warn: Log | None = None) -> BuildResult:
    """Run menuconfig (or guiconfig) on a built folder's .config, then rebuild from it.

    The rebuild sees unchanged fragments and a changed .config, so the saved
    .config is its only Kconfig input: autoconf.h and image.json follow the edit.
    """
    from zpy.build import kconfig
    from zpy.image.dtmodel import DeviceTree

    paths = BuildPaths(Path(build_dir).expanduser().resolve())
    info = BuildInfo.load(paths)
    if info is None or info.kconfig is None or not paths.dotconfig.is_file():
        raise BuildError(f"{paths.root} is not a configured build folder",
                         hint="run zpy build first")
    dt = DeviceTree.load(paths.devicetree_json) if paths.devicetree_json.is_file() else None
    kconfig.run_menuconfig(kconfig.KconfigSetup.from_json(info.kconfig), dt, paths.dotconfig,
                           gui=gui)
    return build(info.app, info.board, paths.root, "never", (), out, warn)


def _apply_pristine(mode: str, info: BuildInfo | None, req: _Request, out: Log
                    ) -> BuildInfo | None:
    root = req.paths.root
    if mode == "always":
        builddir.make_pristine(root)
        return None
    if info is None:
        return None
    other_app = info.app != str(req.app.dir)
    other_board = info.board != req.board.name
    if not (other_app or other_board):
        return info
    if mode == "never":
        if other_app:
            raise BuildError(
                f"Build directory {root} is for application {info.app}, but source directory "
                f"{req.app.dir} was specified; please clean it, use --pristine, or use "
                "--build-dir to set another build directory")
        raise BuildError(
            f"Build directory {root} targets board {info.board}, but board {req.board.name} "
            "was specified. (Clean the directory, use --pristine, or use --build-dir to "
            "specify a different one.)")
    what = f"app {info.app}" if other_app else f"board {info.board}"
    out(f"-- Making {root} pristine: it was built for {what}")
    builddir.make_pristine(root)
    return None


def _full_build(req: _Request, old: BuildInfo | None, confs: inputs.Selection,
                dts: inputs.Selection, out: Log, warn: Log) -> ImageManifest:
    from zpy.build import dtspp

    paths, app, board = req.paths, req.app, req.board
    info = BuildInfo(str(app.dir), board.name, zpy.__version__, req.settings)
    if old is not None:  # keep the .config rule's memory until Kconfig has run
        info.fragments, info.dotconfig = old.fragments, old.dotconfig
    info.save(paths)

    out(f"-- Application: {app.dir}")
    out(f"-- Board: {board.name}, {board.dir}")
    out(f"-- ZEPHYR_BASE: {req.base}")
    for module in req.modules:
        out(f"-- Including module: {module.name} in path: {module.path}")

    # 1. devicetree
    out(f"-- Found BOARD.dts: {dts.files[0]}")
    for overlay in dts.files[1:]:
        out(f"-- Found devicetree overlay: {overlay}")
    with dtspp.start(dts.files, req.dts_include_dirs, paths.dts_pre, paths.dts_deps,
                     paths.empty_file) as cpp:
        # Imported here, while cpp runs, and never by a no-op rebuild.
        from zpy.build import devicetree, kconfig, kconfigdts
        pre = cpp.result()
    dt = devicetree.generate(paths.dts_pre, req.bindings_dirs, paths.zephyr_dts,
                             paths.edt_pickle, warn)
    dt.save(paths.devicetree_json)
    out(f"-- Generated zephyr.dts: {paths.zephyr_dts}")
    out(f"-- Generated devicetree_generated.json: {paths.devicetree_json}")

    # 2. Kconfig.dts, Kconfig.modules
    binding_files = kconfigdts.write_kconfig_dts(req.bindings_dirs, paths.kconfig_dts)
    paths.kconfig_modules.write_text(kconfig_modules(req.modules))

    # 3. Kconfig
    fragments = list(confs.files)
    paths.extra_kconfig_options.parent.mkdir(parents=True, exist_ok=True)
    paths.extra_kconfig_options.write_text(
        "".join(f"{name}={value}\n" for name, value in req.options.configs))
    if req.options.configs:
        fragments.append(paths.extra_kconfig_options)
    frag_hash = builddir.fragments_hash(fragments)
    keep_dotconfig = (old is not None and old.fragments == frag_hash
                      and paths.dotconfig.is_file())
    setup = kconfig.KconfigSetup(
        top=req.kconfig_top,
        srctree=req.base,
        variables={
            "ZEPHYR_BASE": str(req.base),
            "BOARD": board.name,
            "BOARD_DIR": str(board.dir),
            "KCONFIG_BINARY_DIR": str(paths.kconfig_dir),
            "APPLICATION_SOURCE_DIR": str(app.dir),
            "EDT_PICKLE": str(paths.edt_pickle),
            "KCONFIG_CONFIG": str(paths.dotconfig),
            **module_variables(req.modules),
        },
    )
    if keep_dotconfig:
        out("-- Kconfig fragments unchanged: using the existing .config")
    result = kconfig.configure(
        setup, dt, [paths.dotconfig] if keep_dotconfig else fragments,
        handwritten=not keep_dotconfig, dotconfig=paths.dotconfig,
        autoconf=paths.autoconf_h, out=out, warn=warn)
    info.fragments = frag_hash
    info.record_dotconfig(paths.dotconfig)
    info.kconfig = setup.to_json()
    info.save(paths)

    # 4. the image
    manifest, table = _link(req, warn)
    _say_linked(req, manifest, out)

    # remember every input
    info.record_files(result.kconfig_files)
    info.record_files(confs.files + confs.absent + dts.absent)
    info.record_files(pre.deps)
    info.record_files(binding_files)
    info.record_files(table.cmakelists)
    info.record_files(Path(m.path) for m in manifest.app_sources + manifest.module_sources)
    info.record_files([app.kconfig, app.cmakelists, app.bindings, app.dts_include])
    info.record_files(m.yml for m in req.modules if m.yml is not None)
    info.record_folders([app.src, board.dir, *req.bindings_dirs, *table.globbed])
    info.complete = True
    info.save(paths)
    return manifest


def _link(req: _Request, warn: Log) -> tuple[ImageManifest, ModuleTable]:
    """Choose the image's sources for the build's .config, check them, write image.json."""
    from zpy.build.sources import image_modules  # a no-op rebuild does not link
    from zpy.image import dotconfig

    paths = req.paths
    config = dotconfig.cmake_variables(paths.dotconfig)
    table = image_modules(req.base, config, app=req.app, zephyr_modules=req.modules, warn=warn,
                          variables={**req.options.variables, "BOARD": req.board.name,
                                     "BOARD_DIR": str(req.board.dir),
                                     "CMAKE_BINARY_DIR": str(paths.root)})
    unused = req.options.unused_warning(table.variables_read)
    if unused:
        warn(f"warning: {unused}")
    check_sources(req.app, table.app_sources, table.module_sources,
                  has_ztest="CONFIG_ZTEST" in config)
    manifest = ImageManifest(
        board=req.board.name,
        board_dir=str(req.board.dir),
        app_dir=str(req.app.dir),
        zephyr_base=str(req.base),
        modules=table.modules,
        app_sources=table.app_sources,
        settings=dict(req.options.settings),
        module_sources=table.module_sources,
        include_dirs=[str(d) for d in table.include_dirs],
        excluded=table.excluded,
        zephyr_modules=[{"name": m.name, "path": str(m.path)} for m in req.modules],
        compile_definitions=table.compile_definitions,
    )
    manifest.save(paths.image_json)
    return manifest, table
