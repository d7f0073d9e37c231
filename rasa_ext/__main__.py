"""Start Rasa's own command line with our patches applied (``python -m rasa_ext run …``).

Used instead of the ``rasa`` script by the Procfile, the test stack, the cluster mode and
the Rasa image, so every Rasa process we run carries the same patches.
"""

from __future__ import annotations

from rasa_ext.patches import apply


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
