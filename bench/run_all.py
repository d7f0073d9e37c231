"""`make bench`: run every benchmark that exists and print its numbers."""

from __future__ import annotations

import importlib
import traceback

BENCHES = ["bench.stack_bench", "bench.voice_bench", "bench.qa_eval", "bench.lifecycle_bench", "bench.civic_bench",
           "bench.dashboard_queue"]


def main() -> None:
    for name in BENCHES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        print(f"\n=== {name} ===", flush=True)
        try:
            module.main()
        except Exception:
            traceback.print_exc()


if __name__ == "__main__":
    main()
