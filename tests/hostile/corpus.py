"""The hostile-input corpus: configs, log lines, S3 keys and archives that others write.

Each case is data; `test_corpus.py` runs it through the real command or service and asserts
a clear error (exit code, message naming what is wrong) or a safe rendering.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import JOBBER_CONFIG


@dataclass(frozen=True)
class ConfigCase:
    """A `jobber.yml` that must be refused with exit 2 and a message containing `expect`."""

    name: str
    text: str | bytes
    expect: str


def _laughs() -> str:
    lines = ["  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "x:\n" + "\n".join(lines) + "\nsubmit:\n  params:\n    x: *i\n"


def _with(old: str, new: str) -> str:
    assert old in JOBBER_CONFIG
    return JOBBER_CONFIG.replace(old, new)


CONFIGS = [
    ConfigCase("nul-byte", _with("my-bucket", "my\x00bucket"), "control character U+0000"),
    ConfigCase("esc-byte", _with("my-bucket", "my\x1b]52;c;eA==\x07"), "U+001B"),
    ConfigCase("bel-byte", _with("custom-run", "run\x07"), "U+0007"),
    ConfigCase("c1-csi", _with("custom-run", "run\x9b2J"), "U+009B"),
    ConfigCase("billion-laughs", _laughs(), "expand to over 100,000 nodes"),
    ConfigCase("alias-cycle", "submit:\n  params: &p\n    x: *p\n", "cycle"),
    ConfigCase("deep-flow", "submit:\n  params: " + "[" * 3000 + "]" * 3000 + "\n", "nested"),
    ConfigCase(
        "deep-block",
        "submit:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)) + "  " * 80 + "v: 1\n",
        "nested more than 64",
    ),  # fmt: skip
    ConfigCase("long-integer", _with('"5"', "7" * 5000), "too long to read"),
    ConfigCase("over-a-megabyte", JOBBER_CONFIG + "#" * (1024 * 1024) + "\n", "over 1,024 KB"),
    ConfigCase("latin-1", b"submit:\n  bucket: caf\xe9\n", "cannot read config file"),
    ConfigCase(
        "python-tag",
        _with("my-bucket", "!!python/object/apply:os.system [id]"),
        "YAML syntax error",
    ),  # fmt: skip
    ConfigCase("two-documents", JOBBER_CONFIG + "---\nsubmit: {}\n", "YAML syntax error"),
    ConfigCase("not-a-mapping", "- a\n- b\n", "must be a YAML mapping"),
    ConfigCase(
        "duplicate-key",
        _with("  prefix: custom-run\n", "  prefix: a\n  prefix: b\n"),
        "duplicate key",
    ),  # fmt: skip
    ConfigCase("unknown-key", _with("  prefix:", "  prefx:"), "prefx"),
    ConfigCase("tab-indent", "submit:\n\tbucket: b\n", "YAML syntax error"),
    ConfigCase("unterminated-quote", _with("my-bucket", '"my-bucket'), "YAML syntax error"),
]


@dataclass(frozen=True)
class LogCase:
    """A log line, and what `smtui logs` must print for it instead."""

    name: str
    line: str
    shown: str


LOG_LINES = [
    LogCase("osc52-clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07", "^[]52;c;cm0gLXJmIH4=^G"),
    LogCase("osc0-title-bel", "\x1b]0;pwned\x07after", "^[]0;pwned^Gafter"),
    LogCase("osc-string-terminator", "\x1b]2;t\x1b\\x", "^[]2;t^[\\x"),
    LogCase("alt-screen", "\x1b[?1049h", "^[[?1049h"),
    LogCase("clear-screen", "\x1b[2J\x1b[H", "^[[2J^[[H"),
    LogCase("c1-csi", "\x9b31mred", "<9b>31mred"),
    LogCase("c1-osc", "\x9d0;t\x9c", "<9d>0;t<9c>"),
    LogCase("dcs", "\x1bP+q544e\x1b\\", "^[P+q544e^[\\"),
    LogCase("apc", "\x1b_kitty\x1b\\", "^[_kitty^[\\"),
    LogCase("bell", "ding\x07", "ding^G"),
    LogCase("carriage-return-overwrite", "safe\rEVIL", "safe^MEVIL"),
    LogCase("backspaces", "abc\x08\x08\x08xyz", "abc^H^H^Hxyz"),
    LogCase("delete", "a\x7fb", "a^?b"),
    LogCase("nul", "a\x00b", "a^@b"),
    LogCase("lone-high-surrogate", "x\ud83dy", "x\ufffdy"),
    LogCase("lone-low-surrogate", "x\udc80y", "x\ufffdy"),
    LogCase("tab-kept", "col1\tcol2", "col1\tcol2"),
    LogCase(
        "rich-markup-is-text",
        "[link=https://evil/]click[/link] [/]",
        "[link=https://evil/]click[/link] [/]",
    ),  # fmt: skip
    LogCase("long-line", "x" * 200_000 + "\x1b[2J", "x" * 200_000 + "^[[2J"),
]


@dataclass(frozen=True)
class KeyCase:
    """An S3 key under `p/`, and the name `smtui ls` must show for it."""

    name: str
    key: str
    shown: str


S3_KEYS = [
    KeyCase("osc-title", "p/\x1b]0;x\x07.bin", "^[]0;x^G.bin"),
    KeyCase("csi-clear", "p/\x1b[2J", "^[[2J"),
    KeyCase("c1", "p/a\u009bb", "a<9b>b"),
    KeyCase("newline", "p/two\nlines", "two^Jlines"),
    KeyCase("carriage-return", "p/a\rb", "a^Mb"),
    KeyCase("dot-dot", "p/../../etc", "etc"),
    KeyCase("markup", "p/[red]x[link=y]", "[red]x[link=y]"),
    KeyCase("tab", "p/a\tb", "a\tb"),
]


@dataclass(frozen=True)
class ArchiveCase:
    """A model.tar.gz that `extract_safely` must refuse (or fail on) with `expect`."""

    name: str
    expect: str


ARCHIVES = [
    ArchiveCase("member-dot-dot", "refused"),
    ArchiveCase("member-deep-dot-dot", "refused"),
    ArchiveCase("symlink-absolute", "refused"),
    ArchiveCase("symlink-out", "refused"),
    ArchiveCase("hardlink-out", "refused"),
    ArchiveCase("device", "refused"),
    ArchiveCase("too-many-members", "more than"),
    ArchiveCase("ratio-bomb", "compression bomb"),
    ArchiveCase("declares-too-much", "unpacks to over"),
    ArchiveCase("truncated", "truncated or not a readable tar.gz"),
    ArchiveCase("not-an-archive", "truncated or not a readable tar.gz"),
    ArchiveCase("empty-file", "truncated or not a readable tar.gz"),
]
