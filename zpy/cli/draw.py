"""`zpy draw`: pictures of a build as SVG files (the ivshmem-v2 memory map, the init order)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zpy.cli.command import CommandError, ZpyCommand

DEFAULT_SHM_SIZE = "4M"  # what the servers hand out without -l
DEFAULT_OUTPUT_SECTION_SIZE = "0"  # QEMU's ivshmem2 server without -o


def _image_manifest(build_dir: Path) -> Path:
    """The build's image manifest, or one line saying there is none."""
    from zpy.image import manifest

    path = build_dir / manifest.RELPATH
    if not path.is_file():
        raise CommandError(f"no image in {build_dir} (missing {path}): build one first with "
                           f"zpy build -d {build_dir}")
    return path


def _int_option(name: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text, 0)
    except ValueError:
        raise CommandError(f"{name} must be an integer, got '{text}'") from None


def _size_option(name: str, text: str) -> int:
    from zpy.errors import MachineError
    from zpy.ivshmem_host.shm import parse_size

    try:
        return parse_size(text)
    except MachineError:
        raise CommandError(f"{name}: invalid size '{text}' (a number of bytes with an "
                           "optional K, M or G suffix)") from None


def memory_map_svg(build_dir: Path, shm_size: str, output_section_size: str,
                   max_peers: str | None, own_id: str | None) -> str:
    """The memory map for a build: max peers from the options, else the build's Kconfig."""
    from zpy.image.dotconfig import load_dotconfig
    from zpy.pictures import SharedMemoryLayout, draw_memory_map

    _image_manifest(build_dir)
    peers = _int_option("--max-peers", max_peers)
    if peers is None:
        config = load_dotconfig(build_dir / "zephyr" / ".config")
        value = config.get("CONFIG_IVSHMEM_V2_MAX_PEERS")
        if not isinstance(value, int):
            raise CommandError(f"{build_dir} is not an ivshmem-v2 build (no "
                               "CONFIG_IVSHMEM_V2_MAX_PEERS in its .config): give --max-peers N")
        peers = value
    layout = SharedMemoryLayout.from_server(
        _size_option("--shm-size", shm_size),
        _size_option("--output-section-size", output_section_size),
        peers, _int_option("--id", own_id))
    return draw_memory_map(layout)


def init_order_svg(build_dir: Path) -> str:
    """The init order of a build: its image linked (every module run) but not booted.

    -nodefaults plugs no device, so linking never reaches for an ivshmem server.
    """
    from zpy.image.manifest import ImageManifest
    from zpy.pictures import draw_init_order, snapshot_init_order
    from zpy.runtime import Runtime

    app = Path(ImageManifest.load(_image_manifest(build_dir)).app_dir).name
    runtime = Runtime(build_dir, machine_args=["-nodefaults"], console_out=None)
    try:
        board = runtime.config.get("CONFIG_BOARD", "")
        order = snapshot_init_order(runtime.kernel, title=f"{app}: init order ({board})",
                                    booted=False)
    finally:
        runtime.close()
    return draw_init_order(order)


class Draw(ZpyCommand):
    name = "draw"
    help = "draw pictures of a build as SVG: memory-map, init-order"
    description = (
        "Draw a picture of a build as an SVG file (default: BUILD/<picture>.svg; -o - for stdout).\n"
        "  memory-map   the ivshmem-v2 shared memory: state table, R/W section, one output\n"
        "               section per peer, with offsets, sizes and who may write each\n"
        "  init-order   the image's SYS_INIT functions and devices by init level and priority,\n"
        "               with arrows for device dependencies\n"
        "examples:\n"
        "  zpy draw init-order -d build\n"
        "  zpy draw memory-map -d build --shm-size 1M --output-section-size 64K --id 1"
    )

    def do_add_parser(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="picture", metavar="PICTURE", required=True)
        mm = sub.add_parser("memory-map", help="the ivshmem-v2 shared-memory map",
                            description="The ivshmem-v2 shared memory as a v2 server with these "
                            "parameters lays it out.")
        self._common(mm)
        mm.add_argument("--shm-size", default=DEFAULT_SHM_SIZE, metavar="SIZE",
                        help=f"shared memory size, as the server's -l (default {DEFAULT_SHM_SIZE})")
        mm.add_argument("--output-section-size", default=DEFAULT_OUTPUT_SECTION_SIZE,
                        metavar="SIZE", help="output section size, as the server's -o (default 0)")
        mm.add_argument("--max-peers", metavar="N",
                        help="number of peers (default: the build's CONFIG_IVSHMEM_V2_MAX_PEERS)")
        mm.add_argument("--id", dest="own_id", metavar="K",
                        help="draw it as peer K sees it (its own output section highlighted)")
        io = sub.add_parser("init-order", help="the init order and device dependencies",
                            description="SYS_INIT functions and devices by init level and "
                            "priority, with arrows for device dependencies.")
        self._common(io)

    @staticmethod
    def _common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-d", "--build-dir", default="build", help="build folder (default: build)")
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="where to write the SVG (default: BUILD/<picture>.svg; - for stdout)")

    def do_run(self, args: argparse.Namespace, extra: list[str]) -> int:
        build_dir = Path(args.build_dir)
        if args.picture == "memory-map":
            svg = memory_map_svg(build_dir, args.shm_size, args.output_section_size,
                                 args.max_peers, args.own_id)
        else:
            svg = init_order_svg(build_dir)
        if args.output == "-":
            sys.stdout.write(svg)
            return 0
        out = Path(args.output) if args.output else build_dir / f"{args.picture}.svg"
        try:
            out.write_text(svg, encoding="utf-8")
        except OSError as e:
            raise CommandError(f"cannot write {out}: {e.strerror}") from None
        self.inf(f"wrote {out}")
        return 0
