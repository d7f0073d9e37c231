"""Trip questions get several places, "how do I get to X" gets transport, procedure answers never
stop at "chưa có thông tin" when the data holds other facts, lost property gets the ward police
(issue 16). Plain functions here; tests/tourism/test_answers_on_stack.py asks the real stack."""

from __future__ import annotations

from bot.police_desk import asks_police_desk, police_desk_answer
from tourism.answer import follow_ups
from tourism.itinerary import answer_directions, answer_trip, asks_directions, trip_places
from tourism.procedures import answer_procedure, get_procedure, procedure_follow_ups
from tourism.sites import get_place


def test_one_day_craft_village_question_lists_several_villages() -> None:
    found = trip_places("Which craft villages can I visit near Hanoi in one day?")
    assert found is not None
    places, anchor = found
    assert anchor is None and len(places) >= 3
    assert {p.type for p, _ in places} == {"village_craft"}
    assert "bat-trang" in {p.id for p, _ in places}
    text = answer_trip("Which craft villages can I visit near Hanoi in one day?", "en")
    assert text is not None and text.count("• ") >= 3 and "km" in text
    vi = answer_trip("làng nghề nào đi được trong một ngày?", "vi")
    assert vi is not None and vi.count("• ") >= 3


def test_near_a_named_place_lists_places_around_it() -> None:
    found = trip_places("Which pagodas are near the Temple of Literature?")
    assert found is not None
    places, anchor = found
    assert anchor is not None and anchor.id == "van-mieu-quoc-tu-giam"
    assert places and all(p.type == "pagoda" for p, _ in places)
    assert [d for _, d in places] == sorted(d for _, d in places)


def test_a_named_place_is_not_a_list_question() -> None:
    assert trip_places("làng gốm Bát Tràng ở đâu") is None
    assert trip_places("Văn Miếu mở cửa mấy giờ") is None


def test_how_do_i_get_there_gives_the_buses_from_the_data() -> None:
    assert asks_directions("How do I get to Bat Trang?")
    assert asks_directions("đi Bát Tràng bằng gì")
    assert not asks_directions("Bát Tràng bán gì")
    bat_trang = get_place("bat-trang")
    assert bat_trang is not None
    text = answer_directions(bat_trang, "en")
    assert "47A" in text and "CITR 04" in text and "google.com/maps" in text


def test_follow_up_buttons_only_for_facts_the_data_holds() -> None:
    van_mieu = get_place("van-mieu-quoc-tu-giam")
    assert van_mieu is not None
    titles = [t for t, _ in follow_ups(van_mieu, "vi")]
    assert "Giờ mở cửa" in titles and "Giá vé" in titles
    bat_trang = get_place("bat-trang")
    assert bat_trang is not None and "Giờ mở cửa" not in [t for t, _ in follow_ups(bat_trang, "vi")]


def test_passport_papers_question_gives_fee_time_where_and_portal() -> None:
    passport = get_procedure("cap-ho-chieu")
    assert passport is not None
    text = answer_procedure(passport, "papers", "vi")
    assert "200.000" in text and "08 ngày làm việc" in text
    assert "Xuất nhập cảnh" in text or "xuất nhập cảnh" in text
    assert "dichvucong.gov.vn" in text
    assert [q for _, q in procedure_follow_ups(passport, "papers", "vi")] and all(
        t != "Giấy tờ" for t, _ in procedure_follow_ups(passport, "papers", "vi"))


def test_lost_wallet_goes_to_the_ward_police_desk() -> None:
    assert asks_police_desk("tôi bị mất ví ở bến xe, báo công an ở đâu")
    assert asks_police_desk("I lost my wallet, where is the police station?")
    assert not asks_police_desk("rác thải ở ngõ 12 Láng Hạ ba ngày không ai thu gom")
    assert not asks_police_desk("đèn đường hỏng trước số 5 phố Huế")
    answer = police_desk_answer("ubnd-phuong-lang", "vi")
    assert "Công an phường Láng" in answer and "Trụ sở" in answer and "113" in answer
    assert "phường/xã" in police_desk_answer(None, "vi")
    assert "ward" in police_desk_answer(None, "en")
