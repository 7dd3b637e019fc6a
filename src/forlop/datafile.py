"""Reading Forløp's data files (catalogues, contracts, parameters, texts): one YAML reader for all of them.

``read_yaml`` parses with LibYAML's C loader (``yaml.CSafeLoader``) when PyYAML was built with it, else with
the pure-Python ``yaml.SafeLoader``: the same safe subset of YAML and the same result (every packaged file
loads identically with both), about ten times faster; the Python loader's share of a small
``forlop pathways`` run was a tenth of a second (issue 14, "Speed of small runs"). Errors are PyYAML's own
(``yaml.YAMLError``, the same classes with either loader); a file a user passes is read through
``forlop.errors.read_user_yaml``, which turns them into one line.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from forlop import cache

#: LibYAML's safe loader when available (it is in the wheels PyPI ships), else the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path | str) -> Any:
    """The parsed YAML file at ``path`` (UTF-8), loaded safely (see the module docstring)."""
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


def parse_yaml(text: str) -> Any:
    """The parsed YAML document ``text``, loaded safely (see the module docstring)."""
    return yaml.load(text, Loader=SAFE_LOADER)


def package_yaml(package: str, name: str) -> Any:
    """The parsed data file ``name`` shipped in the package ``package`` (e.g. ``forlop.pathways``).

    The parsed result is kept in Forløp's cache folder (``forlop.cache``, kind ``data``) under a
    SHA-256 of the file's text, the loader and marshal's format version, as ``marshal`` data (plain
    dicts, lists, strings and numbers; loading it runs no code): even LibYAML's loader builds the
    Python objects in Python, 0.1 s for the texts and the indicator catalogue that every
    ``forlop pathways`` run reads (issue 14).
    A file whose result marshal cannot hold (a date, say) is parsed every time.
    """
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    loader = f"{yaml.__version__};{SAFE_LOADER.__name__};marshal {marshal.version};".encode()
    key = hashlib.sha256(loader + text.encode()).hexdigest()
    stored = cache.read("data", key)
    if stored is not None:
        try:
            return marshal.loads(stored)
        except (EOFError, ValueError, TypeError):
            pass  # not what write() stored: parse again (and store it anew)
    parsed = parse_yaml(text)
    with contextlib.suppress(ValueError):  # a value marshal cannot hold: not stored
        cache.write("data", key, marshal.dumps(parsed))
    return parsed
