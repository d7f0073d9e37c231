"""English questions get English answers, and the English text says what the Vietnamese sources say.

"Answer in the language asked" (issue 7): every English answer about every place and procedure
is scanned for untranslated Vietnamese (a lower-case word with Vietnamese letters — proper names
are capitalised and may stay), and every number in it must come from the Vietnamese data the
sources were read in, so a translation cannot invent or shift an hour or a price.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
import yaml

from bot.knowledge_actions import ActionAnswerProcedure, ActionAnswerTourism
from tests.tourism.test_actions import HOAN_KIEM, run
from tourism.answer import answer_place, unit_name
from tourism.procedures import DATA_PATH as PROC_PATH
from tourism.procedures import ProceduresDataError, answer_procedure, get_procedure, load_procedures, parse_procedures
from tourism.search import festival_dates
from tourism.sites import DATA_PATH as SITES_PATH
from tourism.sites import (
    Place,
    SitesDataError,
    get_place,
    load_places,
    numbers_in,
    parse_places,
    vietnamese_common_words,
)

TODAY = date(2026, 3, 1)
PLACE_ASPECTS = (None, "hours", "price", "bus", "address", "festival", "products")
PROC_ASPECTS = (None, "papers", "fee", "time", "where", "online")
# numbers the English templates write themselves ("since 1 Jul 2025")
TEMPLATE_NUMBERS = {"1", "2025"}


def _sites() -> Any:
    with SITES_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _procs() -> Any:
    with PROC_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _vi_numbers(p: Place) -> set[str]:
    """Numbers of the place's Vietnamese facts (the language the sources were read in)."""
    texts = [p.name_vi, p.name_en, p.description_vi, p.description_en, p.address or "", p.ward or "",
             p.old_ward or "", p.old_district or "", p.opening_hours or "", p.ticket_price or "",
             " ".join(p.bus or ()), p.bus_note or "", p.maps_url]
    for f in p.festivals:
        texts += [f.name_vi, f"{f.day} {f.month}"]
        for year in (TODAY.year, TODAY.year + 1):
            texts += [f"{d.day} {d.month} {d.year}" for span in festival_dates(f, year) for d in span]
    return {n for t in texts for n in numbers_in(t)}


def test_vietnamese_word_detector() -> None:
    assert vietnamese_common_words("70.000 đồng/lượt hằng ngày") == ["đồng", "lượt", "hằng", "ngày"]
    # proper names and quoted labels on a bill are not untranslated text
    assert vietnamese_common_words('Bát Tràng commune, Hà Nội; find "Mã danh bộ" on the bill') == []


@pytest.mark.parametrize("place", load_places(), ids=lambda p: p.id)
def test_every_english_place_answer_is_english_with_numbers_from_data(place: Place) -> None:
    allowed = _vi_numbers(place) | TEMPLATE_NUMBERS
    for aspect in PLACE_ASPECTS:
        text = answer_place(place, aspect, "en", today=TODAY)
        assert vietnamese_common_words(text) == [], (place.id, aspect, text)
        assert set(numbers_in(text)) <= allowed, (place.id, aspect, set(numbers_in(text)) - allowed, text)


@pytest.mark.parametrize("proc", load_procedures(), ids=lambda p: p.id)
def test_every_english_procedure_answer_is_english_with_numbers_from_data(proc: Any) -> None:
    vi = " ".join([proc.name_vi, proc.fee or "", proc.processing_time or "", proc.where or "",
                   *proc.papers, *proc.online.channels, *proc.online.steps])
    allowed = set(numbers_in(vi)) | {str(i) for i in range(1, len(proc.online.steps) + 1)}
    for aspect in PROC_ASPECTS:
        text = answer_procedure(proc, aspect, lang="en")
        assert vietnamese_common_words(text) == [], (proc.id, aspect, text)
        assert set(numbers_in(text)) <= allowed, (proc.id, aspect, text)


def test_english_answers_quote_the_english_field_and_vietnamese_the_vietnamese() -> None:
    for p in load_places():
        if p.opening_hours:
            assert p.opening_hours_en in answer_place(p, "hours", "en")
            assert p.opening_hours in answer_place(p, "hours", "vi")
        if p.ticket_price:
            assert p.ticket_price_en in answer_place(p, "price", "en")
        if p.bus_note:
            assert p.bus_note_en in answer_place(p, "bus", "en")
    for proc in load_procedures():
        if proc.fee:
            assert proc.en.fee in answer_procedure(proc, "fee", "en")
            assert proc.fee in answer_procedure(proc, "fee", "vi")
        if proc.processing_time:
            assert proc.en.processing_time in answer_procedure(proc, "time", "en")
        assert all(x in answer_procedure(proc, "papers", "en") for x in proc.en.papers)
        assert all(x in answer_procedure(proc, "online", "en") for x in proc.en.steps)


def test_structured_facts_render_per_language() -> None:
    citadel = get_place("hoang-thanh-thang-long")
    assert citadel.opening_hours == "8:00–11:30 và 14:00–17:00, đóng cửa thứ Hai"
    assert citadel.opening_hours_en == "8:00–11:30 and 14:00–17:00, closed on Monday"
    assert citadel.ticket_price == "100.000 đồng/lượt" and citadel.ticket_price_en == "100,000 VND per visit"
    assert get_place("chua-mot-cot").ticket_price_en == "Free"
    assert get_place("den-ngoc-son").opening_hours_en == "8:00–17:00 daily (as of a 2016 source)"
    assert unit_name("phường Văn Miếu - Quốc Tử Giám", "en") == "Văn Miếu - Quốc Tử Giám ward"
    assert unit_name("thị xã Sơn Tây", "en") == "Sơn Tây town" and unit_name("xã Đông Anh", "vi") == "xã Đông Anh"


def test_english_products_leave_out_vietnamese_and_unaccented_vietnamese() -> None:
    me_tri = get_place("me-tri")
    assert me_tri.products_in("en") == ("green rice", "young rice flakes")
    assert "cốm" in me_tri.products_in("vi") and "com" not in me_tri.products_in("vi")
    assert all(p.products_in("en") for p in load_places() if p.type == "village_craft")


def _place_with(raw: Any, pred: Any) -> dict:
    return next(p for p in raw["places"] if pred(p))


def test_loader_refuses_missing_drifting_or_untranslated_english() -> None:
    missing = _sites()
    del _place_with(missing, lambda p: "opening_hours_en" in p)["opening_hours_en"]
    with pytest.raises(SitesDataError, match="English text is required"):
        parse_places(missing)
    drift = _sites()
    place = _place_with(drift, lambda p: "ticket_price_en" in p)
    place["ticket_price_en"] = place["ticket_price_en"].replace("0,000", "5,000", 1)
    with pytest.raises(SitesDataError, match="numbers differ"):
        parse_places(drift)
    untranslated = _sites()
    place = _place_with(untranslated, lambda p: "bus_note_en" in p)
    place["bus_note_en"] = place["bus_note"]
    with pytest.raises(SitesDataError, match="untranslated"):
        parse_places(untranslated)
    twice = _sites()
    place = _place_with(twice, lambda p: isinstance(p["ticket_price"], dict))
    place["ticket_price_en"] = "whatever"
    with pytest.raises(SitesDataError, match="structured"):
        parse_places(twice)
    bad_day = _sites()
    _place_with(bad_day, lambda p: isinstance(p["opening_hours"], dict))["opening_hours"]["closed"] = ["monday"]
    with pytest.raises(SitesDataError, match="weekdays"):
        parse_places(bad_day)
    address = _sites()
    del _place_with(address, lambda p: "address_en" in p)["address_en"]
    with pytest.raises(SitesDataError, match="address_en"):
        parse_places(address)


def test_procedure_loader_refuses_missing_drifting_or_untranslated_english() -> None:
    doc = _procs()
    first_fee = next(i for i, p in enumerate(doc["procedures"]) if p["id"] == "chung-thuc-ban-sao")
    cases = []
    no_en = copy.deepcopy(doc)
    del no_en["procedures"][0]["en"]
    cases.append((no_en, "en"))
    drift = copy.deepcopy(doc)
    en = drift["procedures"][first_fee]["en"]
    en["fee"] = en["fee"].replace("0", "5", 1)
    cases.append((drift, "numbers differ"))
    short = copy.deepcopy(doc)
    short["procedures"][0]["en"]["papers"] = short["procedures"][0]["en"]["papers"][:-1]
    cases.append((short, "English"))
    vi_text = copy.deepcopy(doc)
    vi_text["procedures"][0]["en"]["where"] = vi_text["procedures"][0]["where"]
    cases.append((vi_text, "untranslated"))
    stray = copy.deepcopy(doc)
    null_fee = next(p for p in stray["procedures"] if p["fee"] is None)
    null_fee["en"]["fee"] = "Free"
    cases.append((stray, "both"))
    for broken, message in cases:
        with pytest.raises(ProceduresDataError, match=message):
            parse_procedures(broken)


def test_english_questions_through_the_actions_get_english_answers() -> None:
    van_mieu = get_place("van-mieu-quoc-tu-giam")
    hours, slots = run(ActionAnswerTourism(), "What time does the Temple of Literature open?")
    assert van_mieu.opening_hours_en in hours and vietnamese_common_words(hours) == [], hours
    price, _ = run(ActionAnswerTourism(), "how much is the ticket?", slots)
    assert van_mieu.ticket_price_en in price and "đồng" not in price, price
    bus, _ = run(ActionAnswerTourism(), "which bus goes to Bat Trang?")
    assert "47A" in bus and get_place("bat-trang").bus_note_en in bus and vietnamese_common_words(bus) == []
    near, _ = run(ActionAnswerTourism(), "museums near me", metadata={"location": HOAN_KIEM})
    assert "Closest to you" in near and vietnamese_common_words(near) == [], near
    fest, _ = run(ActionAnswerTourism(), "festivals in month 2")
    assert vietnamese_common_words(fest) == [], fest
    fee, slots = run(ActionAnswerProcedure(), "how much does temporary residence registration cost?")
    tam_tru = get_procedure("dang-ky-tam-tru")
    assert slots == {"procedure_id": tam_tru.id} and tam_tru.en.fee in fee, fee
    papers, _ = run(ActionAnswerProcedure(), "what documents do I need?", slots)
    assert all(x in papers for x in tam_tru.en.papers) and vietnamese_common_words(papers) == [], papers
    unknown, _ = run(ActionAnswerProcedure(), "how do I do this?")
    assert vietnamese_common_words(unknown) == [], unknown


def test_a_key_given_twice_is_refused(tmp_path: Any) -> None:
    # PyYAML alone keeps the last one: a new bus_note written above an old one would be ignored
    text = SITES_PATH.read_text(encoding="utf-8").replace(
        '    bus_note_en: "73 from', '    bus_note: "x"\n    bus_note_en: "73 from', 1)
    assert text != SITES_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "sites.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(SitesDataError, match="duplicate key 'bus_note'"):
        load_places(str(broken))
