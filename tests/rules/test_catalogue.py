"""docs/rules.md, "Errors and warnings": every example gives exactly the documented messages,
so the catalogue cannot drift from what redlines says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redlines.cli import EXIT_ERROR, EXIT_OK, main

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

#: A rule file (a ```yaml block whose first line is `# r.yaml`), then the output of
#: `redlines check r.yaml` (a ```text block).
EXAMPLE = re.compile(
    r"```yaml\n# r\.yaml\n(?P<file>.*?)```\n\n```text\n\$ redlines check r\.yaml\n(?P<out>.*?)```",
    re.DOTALL,
)


def examples() -> list[tuple[str, str, list[str]]]:
    text = DOC.read_text(encoding="utf-8")
    catalogue = text[text.index("\n## Errors and warnings\n") :]
    found = []
    for m in EXAMPLE.finditer(catalogue):
        title = catalogue[: m.start()].rsplit("**", 2)[-2] if "**" in catalogue[: m.start()] else ""
        found.append((title, m.group("file"), m.group("out").splitlines()))
    return found


def test_the_catalogue_has_its_examples() -> None:
    found = examples()
    assert len(found) >= 40
    lines = [line for _, _, out in found for line in out]
    assert sum(line.startswith("warning: ") for line in lines) >= 6
    assert all(line.startswith(("error: r.yaml:", "warning: r.yaml:")) for line in lines), lines


@pytest.mark.parametrize(
    ("title", "file", "expected"), examples(), ids=[t for t, _, _ in examples()]
)
def test_each_example_gives_the_documented_messages(
    title: str,
    file: str,
    expected: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "r.yaml").write_text(file, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--no-context", "r.yaml"])
    out, err = capsys.readouterr()
    assert err.splitlines() == expected
    errors = any(line.startswith("error: ") for line in expected)
    assert code == (EXIT_ERROR if errors else EXIT_OK)
    assert (out == "") == errors
