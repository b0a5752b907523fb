"""The cache of loaded rulesets (rules/cache.py): a rule file loaded before comes from it, the
same ruleset, warnings and all; anything else (another text, another name, the cache off, a
damaged entry, a folder others can write) loads the file as if there were no cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from redlines import load_rules, parse_rules
from redlines.rules import cache
from redlines.rules import load as load_module

NATO = (Path(load_module.__file__).parents[1] / "data" / "rulesets" / "nato-2024.yaml").read_text(
    encoding="utf-8"
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("REDLINES_CACHE_DIR", str(where))
    monkeypatch.delenv("REDLINES_CACHE", raising=False)
    return where


def _count_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    loads: list[str] = []
    real = load_module._parse_rules

    def counted(text: str, file: str) -> object:
        loads.append(file)
        return real(text, file)

    monkeypatch.setattr(load_module, "_parse_rules", counted)
    return loads


def test_a_ruleset_loaded_before_comes_from_the_cache(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = _count_loads(monkeypatch)
    first = parse_rules(NATO, "rules.yaml")
    second = parse_rules(NATO, "rules.yaml")
    assert loads == ["rules.yaml"]
    assert second == first and second is not first
    assert second.warnings == first.warnings and second.model == first.model
    assert len(list(folder.glob("*.ruleset.pickle"))) == 1
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_another_text_or_another_name_is_loaded_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = _count_loads(monkeypatch)
    parse_rules(NATO, "a.yaml")
    parse_rules(NATO, "b.yaml")  # warnings and problems name the file
    changed = parse_rules(NATO.replace('version: "1.0.0"', 'version: "1.0.1"'), "a.yaml")
    assert loads == ["a.yaml", "b.yaml", "a.yaml"]
    assert changed.version == "1.0.1"


def test_a_cached_rule_file_still_shows_its_lines(folder: Path, tmp_path: Path) -> None:
    from redlines.source import _TEXTS, source_line

    parse_rules(NATO, "shown.yaml")
    _TEXTS.pop("shown.yaml", None)
    parse_rules(NATO, "shown.yaml")  # from the cache
    assert source_line("shown.yaml", 1) == NATO.split("\n")[0]


def test_the_cache_can_be_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINES_CACHE", "off")
    loads = _count_loads(monkeypatch)
    parse_rules(NATO, "rules.yaml")
    parse_rules(NATO, "rules.yaml")
    assert loads == ["rules.yaml", "rules.yaml"]
    assert not folder.exists()


def test_a_damaged_entry_is_loaded_again_and_replaced(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = parse_rules(NATO, "rules.yaml")
    (entry,) = folder.glob("*.ruleset.pickle")
    entry.write_bytes(b"not a pickle")
    loads = _count_loads(monkeypatch)
    assert parse_rules(NATO, "rules.yaml") == first
    assert loads == ["rules.yaml"]
    assert parse_rules(NATO, "rules.yaml") == first
    assert loads == ["rules.yaml"]


def test_a_folder_others_can_write_is_not_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_rules(NATO, "rules.yaml")
    os.chmod(folder, 0o777)
    loads = _count_loads(monkeypatch)
    parse_rules(NATO, "rules.yaml")
    assert loads == ["rules.yaml"]


def test_an_unwritable_folder_only_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("REDLINES_CACHE_DIR", str(blocker / "cache"))  # under a file
    assert parse_rules(NATO, "rules.yaml").name == "nato-2024"


def test_only_the_newest_entries_are_kept(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEPT", 3)
    for i in range(5):
        parse_rules(NATO.replace('version: "1.0.0"', f'version: "1.0.{i}"'), "rules.yaml")
    assert len(list(folder.glob("*.ruleset.pickle"))) == 3


def test_a_shipped_ruleset_loads_alike_with_and_without_the_cache(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = [load_rules("nato-2024"), load_rules("nato-2024")]
    monkeypatch.setenv("REDLINES_CACHE", "off")
    assert cached[0] == cached[1] == load_rules("nato-2024")
