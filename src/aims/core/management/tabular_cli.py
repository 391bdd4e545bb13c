"""What the import and export commands of tabular files share (`aims import`, `aims export`,
`aims risk import|export`): reading the file or standard input within the upload limit, the
progress bar, printing an import's row errors (exit 1) or its summary, choosing the export format
from the output file's extension and writing the output atomically.

An import function has the signature of `aims.inventory.io.import_systems` without the actor:
`(data, fmt, filename, *, dry_run, progress) -> aims.core.tabular.ImportResult`."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aims.core import tabular


def read_input(path: str) -> tuple[bytes, str]:
    """(content, file name) of `path` ('-': standard input, no name), refused above the upload
    limit. Standard input is read one byte past the limit so that the import reports the size."""
    limit = tabular.max_bytes()
    if path == "-":
        return sys.stdin.buffer.read(limit + 1), ""
    source = Path(path)
    if not source.is_file():
        raise CommandError(f"no such file: {path}")
    size = source.stat().st_size
    if size > limit:
        raise CommandError(
            f"{path} is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.1f} MB "
            "(AIMS_MAX_UPLOAD_BYTES)"
        )
    return source.read_bytes(), source.name


def import_file(
    command: BaseCommand,
    options: dict[str, Any],
    importer: Callable[..., tabular.ImportResult],
) -> tabular.ImportResult:
    """Read options["file"], import it with `importer` (format from options["format"], dry run
    and progress bar as the options say), print the errors and fail (exit 1), or the summary."""
    data, filename = read_input(options["file"])
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if options.get("no_progress"):
            return
        if bar is None:
            from tqdm import tqdm

            # tqdm needs the raw stream: Django's OutputWrapper adds a newline to every write.
            stream = getattr(command.stderr, "_out", sys.stderr)
            bar = tqdm(total=total, unit="row", desc="importing", file=stream, disable=None, leave=False)
        bar.update(done - bar.n)

    try:
        result = importer(
            data, options.get("format") or "", filename, dry_run=options["dry_run"], progress=progress
        )
    finally:
        if bar is not None:
            bar.close()
    if not result.ok:
        for error in result.errors:
            command.stderr.write(str(error))
        raise CommandError(
            "import refused, nothing was written: correct the problems listed above and run it again"
        )
    summary = f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged ({result.rows} rows)"
    if result.dry_run:
        command.stdout.write(f"dry run, nothing written: would have {summary}")
    else:
        command.stdout.write(f"imported {summary}")
    return result


def export_format(
    fmt: str | None, output: str | None, suffixes: Mapping[str, str], binary: tuple[str, ...]
) -> str:
    """The format asked for, else the output file's extension (`suffixes`), else CSV; a binary
    format needs an output file."""
    if not fmt and output:
        fmt = suffixes.get(Path(output).suffix.lower(), "csv")
    fmt = fmt or "csv"
    if fmt in binary and not output:
        raise CommandError(f"{fmt.upper()} is a binary format: give the file to write with -o FILE")
    return fmt


def write_output(command: BaseCommand, content: bytes, output: str | None, filename: str) -> Path | None:
    """Standard output (text) when there is no output file (returns None); else the file, or
    `filename` inside it when it is a directory (returns the path written)."""
    if not output:
        command.stdout.write(content.decode("utf-8"), ending="")
        return None
    target = Path(output)
    if target.is_dir():
        target = target / filename
    # Write a temporary file beside the target, then rename: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".aims-export-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
