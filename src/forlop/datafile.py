"""Reading Forløp's data files (catalogues, contracts, parameters, texts): one YAML reader for all of them.

``read_yaml`` parses with LibYAML's C loader (``yaml.CSafeLoader``) when PyYAML was built with it, else with
the pure-Python ``yaml.SafeLoader``: the same safe subset of YAML and the same result (every packaged file
loads identically with both), about ten times faster; the Python loader's share of a small
``forlop pathways`` run was a tenth of a second (issue 14, "Speed of small runs"). Errors are PyYAML's own
(``yaml.YAMLError``, the same classes with either loader); a file a user passes is read through
``forlop.errors.read_user_yaml``, which turns them into one line.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

#: LibYAML's safe loader when available (it is in the wheels PyPI ships), else the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path | str) -> Any:
    """The parsed YAML file at ``path`` (UTF-8), loaded safely (see the module docstring)."""
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


def parse_yaml(text: str) -> Any:
    """The parsed YAML document ``text``, loaded safely (see the module docstring)."""
    return yaml.load(text, Loader=SAFE_LOADER)


def package_yaml(package: str, name: str) -> Any:
    """The parsed data file ``name`` shipped in the package ``package`` (e.g. ``forlop.pathways``)."""
    return parse_yaml(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
