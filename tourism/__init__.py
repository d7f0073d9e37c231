"""Tourism knowledge (Hanoi relics, craft villages) and public-service Q&A as plain functions.

Rasa actions, the dashboard and tests call these directly; nothing here does IO beyond reading
the YAML catalogues in data/ once.
"""

from tourism.answer import answer_place
from tourism.procedures import Procedure, answer_procedure, find_procedure, load_procedures
from tourism.search import (
    FestivalOccurrence,
    detect_language,
    detect_place_aspect,
    detect_procedure_aspect,
    festivals_in_month,
    nearby,
    search_places,
)
from tourism.sites import Festival, Place, get_place, load_places

__all__ = [
    "Festival",
    "FestivalOccurrence",
    "Place",
    "Procedure",
    "answer_place",
    "answer_procedure",
    "detect_language",
    "detect_place_aspect",
    "detect_procedure_aspect",
    "festivals_in_month",
    "find_procedure",
    "get_place",
    "load_places",
    "load_procedures",
    "nearby",
    "search_places",
]
