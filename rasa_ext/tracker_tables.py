"""Create Rasa's tracker tables once, before any replica starts (Rasa venv).

Every Rasa process creates its SQL tracker tables at start; two replicas starting together
race on it (``UniqueViolation … events_id_seq`` on PostgreSQL, issue 15). Cluster mode and
the compose ``rasa-tables`` service run this first; replicas then find the tables there.

    python -m rasa_ext.tracker_tables docker/endpoints.yml
"""

from __future__ import annotations

import sys

from rasa.core.tracker_store import create_tracker_store
from rasa.utils.endpoints import read_endpoint_config


def main(endpoints: str = "endpoints.yml") -> None:
    config = read_endpoint_config(endpoints, "tracker_store")
    if config is None:
        raise SystemExit(f"{endpoints}: no tracker_store")
    store = create_tracker_store(config)
    print(f"tracker tables ready ({type(store).__name__})")


if __name__ == "__main__":
    main(*sys.argv[1:2])
