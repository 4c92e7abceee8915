"""Reading an operator's TOML file (agencies, areas), its problems told as catalogue keys."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Protocol

# Where tomllib says a syntax error is: "... (at line 40, column 13)".
TOML_PLACE = re.compile(r"at line (\d+), column (\d+)")


class FileError(Protocol):
    """An error class that names the file, the entry and the catalogue key."""

    def __call__(self, path: Path, where: str, key: str, **params: object) -> Exception: ...


def read_toml(path: Path, error: FileError, not_found: str) -> dict[str, Any]:
    """The file's TOML table; a missing, unreadable or broken file raises `error` with the
    agencies_file.* texts (shared by every such file), `not_found` for a missing one."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(path, "", not_found) from None
    except PermissionError:
        raise error(path, "", "agencies_file.not_allowed") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(path, "", "agencies_file.cannot_read", reason=reason) from None
    except tomllib.TOMLDecodeError as exc:
        at = TOML_PLACE.search(str(exc))
        if at is None:
            raise error(path, "", "agencies_file.not_toml_end") from None
        line, column = at.groups()
        raise error(path, "", "agencies_file.not_toml", line=line, column=column) from None
