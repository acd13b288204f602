"""The README and docs/ stay true: the layout table lists every module, every file they name exists, the README
stays short, the how-tos name real files and names, and the sample conversation quotes the real texts.

Paths are taken from `code spans`, fenced code blocks and Markdown links. Paths under what a run generates
(var/, models/, .venv/ ...) and paths with placeholders (`data/knowledge/<topic>.yml`) are checked up to the
placeholder: the folder must exist."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAX_README_LINES = 220

# the packages whose every module the README's layout table names
LAYOUT_PACKAGES = ("actions", "channels", "stores", "patches", "launch", "ops", "tools", "components")
MODULE_SUFFIXES = (".py", ".sh")
# made by a run or an install, not in a fresh clone
GENERATED = (
    "var/",
    "models/",
    "results/",
    ".venv/",
    ".rasa/",
    "tests/output/",
    "webchat/vendor/",
    "webchat/node_modules/",
)
# paths inside other projects, named as such in the text
ELSEWHERE = ("rasa/",)
FILE_SUFFIXES = ("py", "sh", "yml", "yaml", "md", "json", "png", "txt", "html", "toml", "lock", "in", "js", "css")
PLACEHOLDER = re.compile(r"[<>*{}…]|\.\.\.$")
PATH = re.compile(r"^(?:\.\./)*[\w.-]+(?:/[\w.-]*)+$")
BARE_FILE = re.compile(rf"^[\w-]+(?:\.[\w-]+)*\.(?:{'|'.join(FILE_SUFFIXES)})$")
MODULE = re.compile(rf"^(?:{'|'.join((*LAYOUT_PACKAGES, 'bench', 'tests'))})(?:\.\w+)+$")
SKIP_DIRS = {".git", ".venv", "node_modules", ".rasa", "__pycache__", ".lock-venv"}
SKIP_TOP = {"var", "models", "results"}
# words with a slash that are not files: media types, answer ids (`causes/general`, `causes/condition:diabetes`)
NOT_A_PATH = re.compile(r"^(?:application|text)/\w+$|^[a-z_]+/(?:general|[a-z_]+:[\w-]+|\.\.\.|…)$")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sections(markdown: str) -> Dict[str, str]:
    """Heading text -> the section's body, for every heading of a Markdown text (not `#` lines in code blocks)."""
    found: Dict[str, List[str]] = {}
    body: List[str] = []
    in_fence = False
    for line in markdown.splitlines(keepends=True):
        in_fence = in_fence != line.startswith("```")
        heading = None if in_fence else re.match(r"^#{1,6} (.+)$", line)
        if heading:
            body = found.setdefault(heading.group(1).strip(), [])
        else:
            body.append(line)
    return {title: "".join(lines) for title, lines in found.items()}


def tokens(markdown: str) -> Iterator[str]:
    """Words of code spans, fenced code blocks and link targets, stripped of surrounding punctuation."""
    # Python and JSON samples are code, not names of files
    fences = [
        body
        for lang, body in re.findall(r"^```([^\n]*)\n(.*?)^```", markdown, flags=re.M | re.S)
        if lang.strip() not in ("python", "json")
    ]
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.M | re.S)
    spans = re.findall(r"`([^`\n]+)`", prose)
    links = re.findall(r"\]\(([^)\s]+)\)", prose)
    for chunk in (*fences, *spans):
        for word in re.split(r"[\s,;|()\[\]]+", chunk):
            word = word.strip("'\"`").rstrip(":.").split("#")[0] if not word.endswith(("...", "…")) else word
            if word:
                yield word
    for link in links:
        if "://" not in link:
            yield "LINK:" + link.split("#")[0]


@functools.lru_cache(maxsize=1)
def repo_file_names() -> Set[str]:
    """The names of every file and folder in the repository, without what a run or an install made."""
    names: Set[str] = set()
    for folder, dirs, files in os.walk(ROOT):
        top = Path(folder) == ROOT
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not (top and d in SKIP_TOP)]
        names.update(dirs, files)
    return names


def problems(markdown: str, base: Path) -> List[str]:
    """The names in a Markdown text that do not exist; links are relative to `base`."""
    found: List[str] = []
    names = repo_file_names()
    for word in tokens(markdown):
        if word.startswith("LINK:"):
            target = word[5:]
            if target and not (base / target).exists():
                found.append(f"link {target}")
            continue
        if "://" in word or "=" in word or word.startswith(("/", "$", "-", "~")) or NOT_A_PATH.match(word):
            continue
        if MODULE.match(word) and not BARE_FILE.match(word):
            if not module_exists(word):
                found.append(f"module {word}")
            continue
        if PATH.match(word) or PLACEHOLDER.search(word) and "/" in word:
            if word.startswith(ELSEWHERE):
                continue
            fixed = PLACEHOLDER.split(word)[0]
            checked = fixed.rsplit("/", 1)[0] + "/" if PLACEHOLDER.search(word) else word
            if word.startswith(GENERATED):
                continue
            if not (ROOT / checked).exists():
                found.append(f"path {word}")
        elif BARE_FILE.match(word) and word not in names:
            found.append(f"file {word}")
    return found


def module_exists(dotted: str) -> bool:
    """`stores.tracker_store.ForgetfulSQLTrackerStore`: the module file exists and defines the rest."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.exists():
                rest = parts[cut:]
                return all(re.search(rf"\b{re.escape(name)}\b", text(candidate)) for name in rest)
    return False


def layout_rows() -> Dict[str, str]:
    """The README's layout table: first cell (`actions/`) -> the row's text."""
    body = sections(text(README))["Where things live"]
    rows: Dict[str, str] = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            for key in re.findall(r"`([^`]+)`", cells[0]):
                rows[key.rstrip("/")] = cells[1]
    return rows


def modules(package: str) -> List[str]:
    """Every module of a package folder, as the layout table names it: `name` for .py, `name.sh` for scripts."""
    found = []
    for path in sorted((ROOT / package).iterdir()):
        if path.suffix in MODULE_SUFFIXES and path.name != "__init__.py":
            found.append(path.stem if path.suffix == ".py" else path.name)
    return found


def top_level_packages() -> List[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))


def test_the_readme_is_short():
    lines = text(README).count("\n")
    assert lines <= MAX_README_LINES, (
        f"README.md has {lines} lines; move the rest to docs/ (at most {MAX_README_LINES})"
    )


@pytest.mark.parametrize("package", sorted({*LAYOUT_PACKAGES, *top_level_packages()}))
def test_the_layout_table_lists_every_package(package):
    assert package in layout_rows(), f"README 'Where things live' has no row for {package}/"


@pytest.mark.parametrize("package", LAYOUT_PACKAGES)
def test_the_layout_table_lists_every_module(package):
    row = layout_rows()[package]
    named = set(re.findall(r"`([^`]+)`", row))
    missing = [m for m in modules(package) if m not in named]
    assert not missing, f"README 'Where things live', row {package}/, lacks {missing}"
    gone = [n for n in named if re.fullmatch(r"[a-z_0-9]+(\.sh)?", n) and n not in modules(package)]
    assert not gone, f"README 'Where things live', row {package}/, names modules that do not exist: {gone}"


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_named_exists(doc):
    missing = problems(text(doc), doc.parent)
    assert not missing, f"{doc.relative_to(ROOT)} names what does not exist: {missing}"


HOW_TOS = ("How to add a topic", "How to add a warning sign", "How to add a channel")


@pytest.mark.parametrize("title", HOW_TOS)
def test_the_how_tos_name_real_files_and_names(title):
    body = sections(text(README))[title]
    paths = [w for w in tokens(body) if PATH.match(w) and not w.startswith(GENERATED)]
    assert paths, f"'{title}' names no file"
    missing = problems(body, ROOT)
    assert not missing, f"'{title}' names what does not exist: {missing}"
    # "`actions/topics.py` (`TOPIC_BY_INTENT`)", "`FOLLOW_UP_TOPICS` in `actions/follow_up.py`": the name is there
    pairs: List[Tuple[str, str]] = re.findall(r"`([\w/.-]+\.py)` \(`(\w+)`", body)
    pairs += [(f, n) for n, f in re.findall(r"`(\w+)` in `([\w/.-]+\.py)`", body)]
    for file, name in pairs:
        assert re.search(rf"\b{name}\b", text(ROOT / file)), f"'{title}': {name} is not in {file}"


def test_the_topic_how_to_names_every_place_a_topic_is_listed():
    """Each place that lists the topics or their intents by name is in 'How to add a topic'."""
    body = sections(text(README))["How to add a topic"]
    for place in (
        "TOPIC_BY_INTENT",
        "TOPICS",
        "data/rules/topics.yml",
        "utter_topic_",
        "docs/intents.md",
        "domain.yml",
        "data/nlu/",
        "tests/test_knowledge.py",
    ):
        assert place in body, f"'How to add a topic' does not mention {place}"
    listed = re.findall(r"^(\w*TOPICS?\w*)\s*[:=]", text(ROOT / "tests" / "test_knowledge.py"), flags=re.M)
    assert "TOPICS" in listed


def test_the_warning_sign_how_to_uses_the_names_of_red_flags_yml():
    body = sections(text(README))["How to add a warning sign"]
    red_flags = yaml.safe_load(text(ROOT / "data" / "knowledge" / "red_flags.yml"))
    for key in re.findall(r"`(signs|cues|answers|decoys|context)`", body):
        assert key in red_flags, f"'How to add a warning sign' names `{key}`, which red_flags.yml lacks"
    levels = {sign["level"] for sign in red_flags.get("signs", [])}
    for level in re.findall(r"`(emergency|urgent|see_doctor)`", body):
        assert level in levels, level


def test_the_sample_conversation_quotes_the_domain_and_the_knowledge_base():
    """The sample's fixed texts are the domain's and the knowledge base's (the sample was copied from a run)."""
    sample = re.search(r"^```\n(you: .*?)^```", sections(text(README))["A conversation"], flags=re.M | re.S)
    assert sample, "README 'A conversation' has no sample"
    bot = [line[5:] for line in sample.group(1).splitlines() if line.startswith("bot: ")]
    domain = yaml.safe_load(text(ROOT / "domain.yml"))["responses"]
    disclaimers = [r["text"] for r in domain["utter_disclaimer"]]
    assert bot[-1] in disclaimers
    knowledge = " ".join(text(p) for p in (ROOT / "data" / "knowledge").glob("*.yml"))
    knowledge = " ".join(knowledge.split())
    for line in bot:
        if line.startswith("Source: "):
            for url in re.findall(r"https://[^\s);]+", line):
                assert url in knowledge, f"the sample's source {url} is not in the knowledge base"
            continue
        for piece in re.split(r"\s*…\s*|\s*\[[^\]]+\]\s*", line):
            if len(piece) > 40 and not piece.startswith("Source:"):
                in_domain = any(piece in r.get("text", "") for rs in domain.values() for r in rs)
                assert in_domain or piece in knowledge, f"the sample's '{piece}' is in neither the domain nor the KB"


CODE_SUFFIXES = (".py", ".sh", ".yml", ".yaml", ".js", ".html", ".toml")
README_REFERENCE = re.compile(r"""README[,:]? ["'“]([^"'”]+)["'”]""")
DOC_REFERENCE = re.compile(r"\bdocs/[\w.-]+\.md\b")


def code_files() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        top = Path(folder) == ROOT
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and d != "vendor" and not (top and d in SKIP_TOP)]
        for name in files:
            if name.endswith(CODE_SUFFIXES):
                yield Path(folder) / name


def test_code_that_points_to_the_docs_points_to_what_exists():
    """`README "Channels"` in a comment needs that heading in the README; `docs/x.md` needs that file."""
    headings = set(sections(text(README)))
    wrong = []
    for path in code_files():
        if path == Path(__file__):
            continue
        source = path.read_text(encoding="utf-8", errors="replace")
        for heading in README_REFERENCE.findall(source):
            if heading not in headings:
                wrong.append(f'{path.relative_to(ROOT)}: README "{heading}"')
        for doc in DOC_REFERENCE.findall(source):
            if not (ROOT / doc).exists():
                wrong.append(f"{path.relative_to(ROOT)}: {doc}")
    assert not wrong, f"references to documentation that does not exist: {wrong}"


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_make_target_named_exists(doc):
    targets = set(re.findall(r"^([a-z][\w-]*):", text(ROOT / "Makefile"), flags=re.M))
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", " ".join(t for t in tokens_with_spaces(text(doc)))))
    assert named <= targets, f"{doc.relative_to(ROOT)} names make targets the Makefile lacks: {named - targets}"


def tokens_with_spaces(markdown: str) -> List[str]:
    """Code spans and fenced code blocks, whole."""
    return re.findall(r"^```[^\n]*\n.*?^```", markdown, flags=re.M | re.S) + re.findall(r"`([^`\n]+)`", markdown)
