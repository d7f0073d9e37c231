"""Our changes to Rasa's behaviour, applied at start by ``python -m rasa_ext`` (Rasa venv).

Everything that alters how the installed Rasa 3.6 behaves lives here, as small,
named patches applied in one place (``rasa_ext.patches.apply``), so that nothing
inside ``.venv-rasa`` is edited and an upgrade shows at once what must be re-checked.
See docs/deployment.md "Rasa patches".
"""
