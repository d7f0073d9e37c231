"""`rasa data validate` on the data the model is trained on, strict where Rasa 3.6 is not.

Rasa's own `--fail-on-warnings` does not fail on an unused intent or response: in 3.6
`Validator.verify_intents` and `verify_utterances_in_stories` compute `ignore_warnings or ok`,
which stays true, so the exit status proves little. This runs the command, reads every warning
it printed, and lets through only the kinds that are right by construction here, each checked
against domain.yml and our code (never a bare list of names):

- a retrieval intent (report_issue, emergency) "duplicated across domain files": domain.yml
  must list it (rules and stories name it) and Rasa adds it once more from data/nlu;
- an intent "not found in the NLU training data" that only our code produces: a button or
  channel payload, or nlu.safety's override (NO_NLU_INTENTS, and the name must occur in our code);
- a response "not used in any story or rule" that Rasa or our code utters: a form's question
  (utter_ask_<slot>, when no action_ask_<slot> comes first), a retrieval intent's action whose
  rule runs our action instead, or a response named in a custom action's code (`utter_x`, and
  `utter_x_en` picked by language).

Anything else (an unused intent, a response nobody utters, a story conflict, an unknown action,
form or entity, a non-zero exit) is a finding: `make lint` and tests/test_rasa_data.py fail.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from scripts.train_model import ROOT, TRAINING_DATA

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# where the intents, payloads and response names of our own code live
SOURCE_PACKAGES = ("bot", "nlu", "feedback_router", "tourism", "voice", "rasa_ext")
# Intents with no NLU examples on purpose: something other than the text classifier sets them.
NO_NLU_INTENTS = {
    "danger_check": "set by nlu.safety on a call for help of no clear type, never trained",
    "edit_report": "button payload of the report summary (/edit_report{\"report_field\":…})",
    "rate_ticket": "button payload after a resolution (/rate_ticket{\"ticket_code\":…,\"rating\":…})",
    "reopen_ticket": "button payload after a resolution (/reopen_ticket{\"ticket_code\":…})",
    "share_location": "sent by the channels for a shared location (/share_location{…})",
    "share_photo": "sent by the channels for a photo or voice note without words (/share_photo)",
}
CONFLICT_FREE = "No story structure conflicts found."

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARNING = re.compile(r"^(?P<path>\S+\.py):\d+: (?P<category>\w+): (?P<message>.*)$")
_LOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(?P<level>[A-Z]+)\s+(?P<logger>\S+)\s+-\s+(?P<message>.*)$")


def command() -> list[str]:
    return [str(RASA), "data", "validate", "--domain", "domain.yml", "--config", "config.yml",
            "--data", *(p for p in TRAINING_DATA if (ROOT / p).exists()), "--fail-on-warnings"]


@dataclass
class Result:
    output: str
    returncode: int
    seconds: float
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (warning, why it is right)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.findings

    def report(self) -> str:
        lines = [f"rasa data validate: exit {self.returncode}, {self.seconds:.1f} s, "
                 f"{len(self.accepted)} warnings explained, {len(self.findings)} findings"]
        lines += [f"  FINDING: {f}" for f in self.findings]
        lines += [f"  ok: {w} — {why}" for w, why in self.accepted]
        if not self.ok:
            lines += ["", "---- full output ----", self.output[-12000:]]
        return "\n".join(lines)


def messages(output: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of every warning Rasa raised and every WARNING/ERROR it logged. A Python
    warning may run on over several lines; warnings of the libraries under Rasa (SQLAlchemy,
    pkg_resources, TensorFlow) are not about our data and are left out."""
    current: list[str] | None = None
    for raw in _ANSI.sub("", output).splitlines():
        line = raw.split("\r")[-1].rstrip()
        warning, log = _WARNING.match(line), _LOG.match(line)
        if warning or log or not line.strip() or line.startswith("  More info at"):
            if current is not None:
                yield "warning", " ".join(current)
                current = None
        if warning and warning["category"] in ("UserWarning", "FutureWarning") and "/rasa/" in warning["path"]:
            current = [warning["message"].strip()]
        elif log and log["level"] in ("WARNING", "ERROR", "CRITICAL"):
            yield "log", f"{log['level']} {log['logger']}: {log['message']}"
        elif current is not None and not warning and not log:
            current.append(line.strip())
    if current is not None:
        yield "warning", " ".join(current)


class Project:
    """What the accepted warnings are checked against: domain.yml and our code's strings."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))

    @cached_property
    def retrieval_intents(self) -> set[str]:
        return {name.removeprefix("utter_").split("/")[0] for name in self.domain.get("responses", {})
                if "/" in name}

    @cached_property
    def actions(self) -> set[str]:
        return set(self.domain.get("actions", [])) | set(self.domain.get("responses", {}))

    @cached_property
    def literals(self) -> dict[str, set[str]]:
        """Every string constant of our Python code, by file."""
        found: dict[str, set[str]] = {}
        for package in SOURCE_PACKAGES:
            for path in sorted((self.root / package).rglob("*.py")):
                tree = ast.parse(path.read_text(encoding="utf-8"))
                found[str(path.relative_to(self.root))] = {
                    node.value for node in ast.walk(tree)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        return found

    @cached_property
    def dialogue_steps(self) -> list[list[dict]]:
        """The steps of every rule and story the model is trained on."""
        blocks: list[list[dict]] = []
        for rel in TRAINING_DATA:
            path = self.root / rel
            for file in sorted(path.rglob("*.yml")) if path.is_dir() else [path] if path.exists() else []:
                data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
                blocks += [b.get("steps", []) for b in [*data.get("rules", []), *data.get("stories", [])]]
        return blocks

    def answered_by(self, intent: str) -> str | None:
        """The custom action a rule or story runs right after `intent`."""
        for steps in self.dialogue_steps:
            for step, after in zip(steps, steps[1:], strict=False):
                action = after.get("action", "")
                if step.get("intent") == intent and action.startswith("action_") and action in self.actions:
                    return action
        return None

    def form_question(self, response: str) -> str | None:
        """The form and slot a response asks for, if the form asks with it (Rasa's search order:
        action_ask_<form>_<slot>, utter_ask_<form>_<slot>, action_ask_<slot>, utter_ask_<slot>)."""
        for form, spec in (self.domain.get("forms") or {}).items():
            for slot in (spec or {}).get("required_slots", []):
                order = [f"action_ask_{form}_{slot}", f"utter_ask_{form}_{slot}",
                         f"action_ask_{slot}", f"utter_ask_{slot}"]
                if next((a for a in order if a in self.actions), None) == response:
                    return f"{form} asks for {slot} with it"
        return None

    def uttered_by(self, response: str) -> str | None:
        """The file of our code that utters a response by name (`utter_x_en`: `utter_x` + "_en")."""
        for path, strings in self.literals.items():
            if response in strings:
                return path
            base = response.removesuffix("_en")
            if base != response and base in strings and "_en" in strings:
                return path
        return None

    def mentions(self, intent: str) -> str | None:
        word = re.compile(rf"(?<![\w]){re.escape(intent)}(?![\w])")
        for path, strings in self.literals.items():
            if any(word.search(s) for s in strings):
                return path
        return None

    def explain(self, message: str) -> str | None:
        """Why a warning is right for this project, or None if it is a finding."""
        if m := re.fullmatch(r"The following duplicated intents have been found across multiple domain "
                             r"files: (.+?)(?: More info at .*)?", message):
            names = {n.strip() for n in m[1].split(",")}
            if names <= self.retrieval_intents:
                return "retrieval intents: listed in domain.yml for the rules, added again by Rasa from data/nlu"
        elif m := re.fullmatch(r"The intent '(\w+)' is listed in the domain file, but is not found in the "
                               r"NLU training data\.", message):
            where = self.mentions(m[1])
            if m[1] in NO_NLU_INTENTS and where:
                return f"{NO_NLU_INTENTS[m[1]]} ({where})"
        elif m := re.fullmatch(r"The utterance '(\w+)' is not used in any story or rule\.", message):
            name = m[1]
            if why := self.form_question(name):
                return why
            intent = name.removeprefix("utter_")
            if intent in self.retrieval_intents and (action := self.answered_by(intent)):
                return f"retrieval intent: {action} answers it, reading the category"
            if where := self.uttered_by(name):
                return f"uttered by {where}"
        return None


def classify(output: str, project: Project | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """(accepted warnings with the reason, findings) of one `rasa data validate` output."""
    project = project or Project()
    accepted: list[tuple[str, str]] = []
    findings: list[str] = []
    for kind, text in messages(output):
        why = project.explain(text) if kind == "warning" else None
        if why:
            accepted.append((text, why))
        else:
            findings.append(text)
    if CONFLICT_FREE not in output:
        findings.append(f"the output does not say {CONFLICT_FREE!r} (story structure not validated?)")
    return accepted, findings


def check(extra_env: dict[str, str] | None = None) -> Result:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
    started = time.monotonic()
    proc = subprocess.run(command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    result = Result(proc.stdout + proc.stderr, proc.returncode, time.monotonic() - started)
    result.accepted, result.findings = classify(result.output)
    return result


def main(argv: Iterable[str] = ()) -> int:
    result = check()
    print(result.report() if "-v" in argv or not result.ok else result.report().splitlines()[0])
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
