"""The tokenizer never loses a word (issue 16): over every training and held-out sentence,
the tokens of nlu.word_segment.segment cover every non-space character of the input, in
order, with spans that index the original text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from nlu.word_segment import segment

DATA = Path(__file__).resolve().parent.parent / "data"
_ANNOTATION_RE = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _training_sentences() -> list[str]:
    out = []
    for path in sorted((DATA / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    out.append(_ANNOTATION_RE.sub(r"\1", line.strip()[2:]))
    return out


def _heldout_sentences() -> list[str]:
    out = []
    for path in sorted((DATA / "nlu_eval").glob("*.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        out.extend(item["text"] for item in (items if isinstance(items, list) else items.get("items", []))
                   if isinstance(item, dict) and item.get("text"))
    return out


def covers(text: str) -> bool:
    tokens = segment(text)
    pos = 0
    for word, start, end in tokens:
        if start < pos or text[start:end] != word or text[pos:start].strip():
            return False
        pos = end
    return not text[pos:].strip()


@pytest.mark.parametrize("text", ["phường hoà bình", "Phường Hoà Bình có rác", "thuý quỳnh ở khoẻ",
                                  "washington dc, HN-0412-AB12, https://x.vn/a?b=1, a@b.vn"])
def test_words_whose_tone_underthesea_moves_are_kept(text: str) -> None:
    assert covers(text), segment(text)
    assert "".join(w.replace(" ", "") for w, _, _ in segment(text)) == text.replace(" ", "")


def test_every_training_and_heldout_sentence_is_covered() -> None:
    sentences = _training_sentences() + _heldout_sentences()
    assert len(sentences) > 1000
    lost = [s for s in sentences if not covers(s)]
    assert lost == []
