"""Every message that stops a command comes from messages.yaml (nb and en): a static check of the source."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import yaml

import forlop

SOURCE = Path(forlop.__file__).parent


def _messages() -> dict[str, dict[str, str]]:
    return yaml.safe_load(resources.files("forlop").joinpath("messages.yaml").read_text(encoding="utf-8"))


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                found.append((path, node))
    return found


def test_no_input_error_is_written_as_a_literal() -> None:
    """The message of ``InputError(file, message, ...)`` is never a string or f-string in the code."""
    literal = [f"{path.relative_to(SOURCE)}:{call.lineno}" for path, call in _calls("InputError")
               if len(call.args) > 1 and isinstance(call.args[1], (ast.Constant, ast.JoinedStr))]
    assert literal == []
    assert len(_calls("InputError")) > 60  # the scan sees the raise sites


def test_every_key_used_exists_in_nb_and_en() -> None:
    messages = _messages()
    keys = {call.args[0].value for _, call in _calls("t") + _calls("DataError")
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)}
    assert len(keys) > 150
    assert sorted(k for k in keys if k not in messages) == []
    assert sorted(k for k in keys if not {"nb", "en"} <= set(messages[k])) == []
