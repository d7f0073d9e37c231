"""A recogniser that returns scripted results: for tests of decisions made on what was heard.

Why it exists: no recording of a Vietnamese caller reporting a fire or a rubbish pile is
available here, and espeak-ng's Vietnamese is unintelligible to viet-asr (measured: "Cháy
nhà ở ngõ 5 Kim Mã, cứu với" came back as "nhờ nằm mà ví mới"). Tests that need the
dialogue to receive particular words therefore script the transcript and keep everything
else real (the caller's audio still goes through TCP, VAD and endpointing). Real
recognition is tested on the real recordings elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from voice.asr import Partial, Recognizer, RecognizerSession, Result


class ScriptedRecognizer(Recognizer):
    """Returns the scripted results in order; remembers the phrase lists it was given."""

    name = "scripted"

    def __init__(self, results: list[Result], grammar: bool = True) -> None:
        self.results = list(results)
        self.supports_grammar = grammar
        self.phrase_lists: list[list[str] | None] = []
        self.audio_bytes: list[int] = []  # audio each utterance carried (proves real audio arrived)

    def stream(self, rate: int, phrases: Sequence[str] | None = None) -> RecognizerSession:
        self.phrase_lists.append(list(phrases) if phrases else None)
        owner = self

        class Session(RecognizerSession):
            def __init__(self) -> None:
                self.received = 0

            def accept(self, pcm: bytes) -> Partial | None:
                self.received += len(pcm)
                return None

            def final(self) -> Result:
                owner.audio_bytes.append(self.received)
                return owner.results.pop(0) if owner.results else Result("")

        return Session()
