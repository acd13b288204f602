"""docs/settings.md is the one table of every environment variable, and the code reads them in one style:

- Python reads a variable only in a process's settings module (channels/settings.py for the Rasa server,
  actions/settings.py for the action server, launch/settings.py for launchers and operations), as
  `os.environ.get("NAME")`, once per module;
- the table lists exactly the variables read there, by the launch scripts (launch/*.sh, ops/*.sh), by the
  containers' commands (deploy/Dockerfile.*) and by Rasa from our files (credentials.yml,
  endpoints.production.yml placeholders), each with exactly its readers
  and, where the code has a literal default, that default."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import yaml

from launch import settings as launch_settings

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "settings.md"
PACKAGES = ("actions", "channels", "stores", "patches", "components", "launch", "ops", "tools", "bench")
SETTINGS_MODULES = ("channels/settings.py", "actions/settings.py", "launch/settings.py")
SCRIPTS = sorted(str(p.relative_to(ROOT)) for d in ("launch", "ops") for p in (ROOT / d).glob("*.sh"))
RASA_FILES = ("credentials.yml", "endpoints.production.yml", "endpoints.yml")
DOCKERFILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "deploy").glob("Dockerfile*"))
SHELL_SPECIALS = {"SECONDS", "HOME", "XDG_CACHE_HOME", "PATH", "USER"}
"""Bash's own and the system's variables, not the project's settings."""
NAME = re.compile(r"[A-Z][A-Z0-9_]*")

Reads = Dict[str, Set[str]]
"""{variable: the files that read it}"""


def _is_environ(node: ast.AST) -> bool:
    """`os.environ` (a bare `environ` is refused where it is imported)."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and (node.value.id == "os")
    )


def python_reads() -> Tuple[Reads, Dict[Tuple[str, str], str], List[str]]:
    """({variable: settings modules}, {(variable, module): literal default}, [reads that break the style])."""
    reads: Reads = defaultdict(set)
    defaults: Dict[Tuple[str, str], str] = {}
    wrong: List[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            or_defaults = {
                id(node.values[0]): node.values[1].value
                for node in ast.walk(tree)
                if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2
                if isinstance(node.values[1], ast.Constant) and isinstance(node.values[1].value, str)
            }
            for node in ast.walk(tree):
                line = f"{where}:{getattr(node, 'lineno', '?')}"
                if isinstance(node, ast.ImportFrom) and node.module == "os":
                    names = [n.name for n in node.names if n.name in ("environ", "getenv")]
                    wrong += [f"{line} imports os.{name} (use os.environ.get in a settings module)" for name in names]
                elif isinstance(node, ast.Attribute) and node.attr == "getenv":
                    wrong.append(f"{line} os.getenv (use os.environ.get in a settings module)")
                elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
                    wrong.append(f"{line} os.environ[...] (use os.environ.get in a settings module)")
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "pop")
                    and _is_environ(node.func.value)
                ):
                    name = node.args[0] if node.args else None
                    if where not in SETTINGS_MODULES:
                        wrong.append(f"{line} reads the environment outside the settings modules")
                    elif not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                        wrong.append(f"{line} reads a variable whose name is not a literal")
                    elif where in reads[name.value]:
                        wrong.append(f"{line} reads {name.value} a second time in the same module")
                    else:
                        reads[name.value].add(where)
                        if id(node) in or_defaults:
                            defaults[(name.value, where)] = or_defaults[id(node)]
    return reads, defaults, wrong


def script_reads() -> Reads:
    """The variables each launch script takes from its environment (not those it sets itself or gets from
    `launch.settings --shell`)."""
    reads: Reads = defaultdict(set)
    for script in SCRIPTS:
        text = "\n".join(line.split(" #")[0] for line in (ROOT / script).read_text(encoding="utf-8").splitlines())
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text))
        defaulted = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):?[-?=]", text))
        assigned = set(re.findall(r"(?m)^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=", text)) - defaulted
        if "launch.settings --shell" in text:
            assigned |= set(launch_settings.SERVICE_VARIABLES)
        for name in used - assigned - SHELL_SPECIALS:
            reads[name].add(script)
    return reads


def container_reads() -> Reads:
    """The variables the containers' commands (CMD, ENTRYPOINT of deploy/Dockerfile.*) read when they start."""
    reads: Reads = defaultdict(set)
    for dockerfile in DOCKERFILES:
        text = (ROOT / dockerfile).read_text(encoding="utf-8")
        commands = re.findall(r"(?m)^(?:CMD|ENTRYPOINT)\b.*$", text)
        for name in set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", "\n".join(commands))):
            reads[name].add(dockerfile)
    return reads


def rasa_reads() -> Reads:
    """The ${VARIABLE} placeholders Rasa substitutes in our credentials and endpoints files (not comments)."""
    reads: Reads = defaultdict(set)
    for name in RASA_FILES:
        content = yaml.safe_dump(yaml.safe_load((ROOT / name).read_text(encoding="utf-8")))
        for variable in re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", content):
            reads[variable].add(name)
    return reads


def table() -> Dict[str, Tuple[Set[str], str]]:
    """{variable: (its readers, its default cell)} from the first table of docs/settings.md."""
    rows: Dict[str, Tuple[Set[str], str]] = {}
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Variable"))
    assert set(lines[start + 1]) <= set("|-: "), "the table's header is followed by its separator line"
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"docs/settings.md: a row has 4 cells (variable, read by, default, meaning): {line}"
        variable = cells[0].strip("`")
        assert NAME.fullmatch(variable), f"docs/settings.md: {cells[0]!r} is not a variable name"
        assert variable not in rows, f"docs/settings.md lists {variable} twice"
        rows[variable] = (set(re.findall(r"`([^`]+)`", cells[1])), cells[2])
    return rows


def code_reads() -> Reads:
    reads: Reads = defaultdict(set)
    for found in (python_reads()[0], script_reads(), rasa_reads(), container_reads()):
        for name, where in found.items():
            reads[name] |= where
    return reads


def test_python_reads_the_environment_only_in_the_settings_modules_in_one_style():
    assert python_reads()[2] == []


def test_every_variable_read_in_code_is_in_the_table():
    missing = sorted(set(code_reads()) - set(table()))
    assert missing == [], f"add to docs/settings.md: {missing}"


def test_the_table_names_no_variable_that_no_code_reads():
    unread = sorted(set(table()) - set(code_reads()))
    assert unread == [], f"no code reads these; remove them from docs/settings.md: {unread}"


def test_the_table_names_each_variables_readers():
    rows = table()
    wrong = {
        name: {"table": sorted(rows[name][0]), "code": sorted(where)}
        for name, where in code_reads().items()
        if name in rows and rows[name][0] != where
    }
    assert wrong == {}


def test_the_table_gives_the_codes_defaults():
    rows = table()
    wrong = {
        name: (default, rows[name][1])
        for (name, _), default in python_reads()[1].items()
        if name in rows and default and default not in rows[name][1]
    }
    assert wrong == {}
