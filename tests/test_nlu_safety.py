"""nlu.safety: the cue rules on their own (standard library; the numbers on held-out
messages come from `make nlu-eval`)."""

from __future__ import annotations

import pytest

from nlu import safety
from nlu.text import normalize


def _decided(intent: str, report: str = "other", emergency: str = "rescue") -> dict:
    ranking = [(intent, 0.6), ("report_issue" if intent != "report_issue" else "ask_procedure", 0.3)]
    return {"intent": intent, "intent_ranking": ranking, "categories": [],
            "report_categories": [(report, 0.7)], "emergency_categories": [(emergency, 0.5)]}


@pytest.mark.parametrize(("category", "number"), [
    ("fire", "114"), ("rescue", "114"), ("crime", "113"), ("medical", "115"), (None, "112"), ("unclear", "112")])
def test_emergency_numbers(category: str | None, number: str) -> None:
    assert safety.emergency_number(category) == number


@pytest.mark.parametrize(("text", "kind"), [
    ("alo nhà bên cạnh đang cháy lửa bốc lên mái rồi", "fire"),
    ("nha ben canh dang boc chay, khoi den lam", "fire"),
    ("có người bị kẹt trong thang máy từ nãy", "rescue"),
    ("thằng bé ngã xuống ao đang chìm", "rescue"),
    ("có đứa cầm dao đang đuổi đánh người ở chợ", "crime"),
    ("bà cụ ngã ra bất tỉnh không thở", "medical"),
    ("my father collapsed and is not breathing", "medical"),
    ("the roof just collapsed and people are trapped", "rescue"),
    # session 6, blind dev set dev_round6
    ("Ôn tui té cầu thang, cái chân gãy gập, xương lòi ra ngoài", "medical"),
    ("my dad fell off the ladder, I think he broke his leg, the bone is sticking out", "medical"),
    ("thằng bé nhà tôi nuốt phải viên pin cúc áo, giờ nó khóc suốt", "medical"),
    ("bà tôi tự nhiên nói lắp bắp, miệng méo một bên", "medical"),
    ("cần cẩu đổ đè bẹp một chiếc taxi, tài xế còn trong xe", "rescue"),
    ("bọn nó vây lại đòi tiền, cầm cả dao bấm", "crime"),
    ("My 10 year old son should have been home an hour ago, his phone is off", "crime"),
    # session 6, blind dev sets dev_round7/8
    ("Công trường đầu xã nớ giàn giáo sập, có hai người thợ nằm dưới đống sắt", "rescue"),
    ("My father is stuck in a collapsed trench at the building site", "rescue"),
    ("a guy on a motorbike has been riding behind me for 3 streets, he stops when i stop", "crime"),
    ("someone keeps trying the handle of our hotel room door, its 2am", "crime"),
    ("co thang nghien cam kim tiem chia vao co ban thuoc doi tien", "crime"),
    ("Mạ tui ăn con cá nóc, chừ môi tê rần, nói không ra hơi", "medical"),
    ("Chú bảo vệ vừa bị ô tô lùi cán qua bàn chân, chân dập nát", "medical"),
    # session 5: part of something collapsed on people, a child not found now, gas
    ("the roof of the old market hall has caved in, vendors may be under it", "rescue"),  # "X of a Y collapsed"
    ("part of the wall at the site came down on two workers", "rescue"),
    ("bé nhà tôi chơi ở công viên, giờ gọi mãi không thấy đâu", "crime"),  # a child not found now
    ("I can't find my son at the zoo, he is four", "crime"),
    ("Con tui uống nhầm thuốc tẩy, giờ nôn liên tục", "medical"),  # "liên tục" here is now, not habit
    ("có mùi gas nồng nặc ở hành lang tầng 3", "fire"),
    ("ông cụ đang ăn thì nghẹn, mặt tím tái", "medical"),
    # round 5 (dev_round5): people at a height, acid, a threat going on
    ("a kid is standing on the ledge of the 5th floor window outside the room", "rescue"),
    ("thằng bé đang đứng ngoài ban công tầng tám", "rescue"),
    ("some guys are pouring acid on a man in front of the bank", "crime"),
    ("ông hàng xóm đang tưới xăng quanh nhà, dọa châm lửa", "crime"),
    # session 7: the fifth hard batch read as a dev set
    ("thang may toa van phong so 18 Tam Trinh dung giua tang 9 va 10, ben trong co ba nguoi", "rescue"),
    ("Cháu bé chui vào lồng máy giặt chơi trốn tìm, cửa tự khóa lại", "rescue"),
    ("có mấy người lạ khiêng ti vi ra khỏi nhà bác hàng xóm mà bác ấy đi nước ngoài cả tháng nay", "crime"),
    ("My friend is being locked in a room by the tour guide who won't let us leave", "crime"),
    # session 7: misfires found by refining training examples with a model 0.8 sure of its label
    ("dang bi cuop, cuu voi", "crime"),  # one-syllable cues never fold; "bị cướp" does
    ("Nghe tiếng phụ nữ kêu cứu và tiếng đánh đập trong căn hộ tầng dưới nãy giờ", "crime"),
    ("three men forcing a girl into a van outside the karaoke, she is screaming", "crime"),
    ("my host family's son hitting his mother, i can hear her through the wall", "crime"),
    ("thang chong say ruou nha ben canh dang dap vo het noi niu", "crime"),
    ("chong em dang bop co em, em tron vao nha tam khoa cua, anh ta dang dap cua", "crime"),
    ("nhom thanh nien dung dao dam nhau, mot nguoi nam duoi dat ma chung no van danh", "crime"),
    ("thang may chung cu o Tay Mo tut xuong 3 tang roi dung, den tat, 5 nguoi trong do dap cua", "rescue"),
    ("alo dạ đánh nhau xong rồi ạ bọn nó đi rồi còn một anh nằm ở đầu ngõ máu ở đầu chảy ròng ròng", "medical"),
    ("xe điện sạc dưới tầng 1 nổ r, khói lên tới phòng t", "fire"),
    # session 7: the seventh hard batch read as a dev set
    ("Ông ngồi ghế sau sờ soạng em từ nãy, giờ đứng sát sau lưng em. Tổng đài báo công an chặn xe giúp em", "crime"),
    ("ad oi co ong say vac tuyp sat dap xe may ban shipper, 1 ban bi u dau chay mau ma ong do ko dung tay", "crime"),
    ("nhìn qua khe thấy cụ nằm sấp dưới sàn bếp, gọi mãi không thấy động đậy", "medical"),
])
def test_present_danger_is_typed(text: str, kind: str) -> None:
    # normalized as every entry point does (teencode "ko", "ng" expanded)
    assert safety.signals(normalize(text)).kinds[:1] == (kind,), text


@pytest.mark.parametrize("text", [
    "xe đang chạy trên cầu thì bị thủng lốp",  # "chạy" (run) folds like "cháy" (fire)
    "công trình không che chắn, bụi bay khắp ngõ",  # "không che" folds like "khống chế"
    "tắc đường ở ngã tư Sở cả buổi sáng",  # "ngã tư" folds like "ngã từ"
    "tư vấn mua bất động sản",
    "muốn mua lụa tơ tằm làm quà",
])
def test_harmless_words_are_not_danger(text: str) -> None:
    assert safety.signals(text).kinds == ()


def test_past_and_hazard_only_stay_reports() -> None:
    for text in ("đêm qua nhà tôi bị trộm lấy mất xe", "cây bàng nghiêng sắp đổ ra đường"):
        decided = safety.refine(text, _decided("emergency"))
        assert decided["intent"] != "emergency", text
    now = safety.refine("cây đổ đè người đi đường, anh ấy đang bị kẹt", _decided("report_issue", "trees_parks"))
    assert now["intent"] == "emergency" and now["categories"][0][0] == "rescue"


def test_figurative_words_are_out_of_scope() -> None:
    for text in ("cháy túi rồi", "shop ơi mẫu này cháy hàng chưa", "cách nấu canh cua không bị tanh"):
        assert safety.refine(text, _decided("report_issue"))["intent"] == "out_of_scope", text


def test_accusation_against_an_official_is_a_denunciation() -> None:
    text = "cán bộ một cửa bảo phải bồi dưỡng thì mới nhận hồ sơ"
    assert safety.signals(text).accusation
    assert safety.refine(text, _decided("report_issue", "admin_procedure"))["intent"] == "denounce"
    assert not safety.signals("nhóm xã hội đen bảo kê bãi xe ven sông").accusation
    assert not safety.signals("cán bộ một cửa hẹn ba lần chưa trả kết quả").accusation


def test_untyped_emergency_gets_112_and_a_bare_call_for_help_a_question() -> None:
    untyped = safety.refine("SOS có chuyện rồi mọi người ơi", _decided("emergency"))
    assert untyped["intent"] == "emergency" and untyped["categories"][0][0] == safety.UNCLEAR
    asked = safety.refine("cứu tôi với", _decided("nlu_fallback"))
    assert asked["intent"] == safety.ASK_INTENT


# ---- session 4: rules written from the classes of the hard set's misses and a dev set
# (data/nlu_eval/dev_emergencies.yaml, dev_safety.yaml); none of these is a held-out text.


@pytest.mark.parametrize("text", [
    "cam on nghen, giup toi nhieu lam",  # "nghen" (Southern "ok?") is no "nghẹn" (choking)
    "ổ nhóm đòi nợ thuê đe dọa người dân, mong công an vào cuộc",  # reported afterwards: weak cues need "now"
    "tôi bị móc túi trên xe buýt số 09",
    "cho tha rong can nguoi",  # "cắn" (bite) folds like "cán" (run over)
    "xuong go chay may on ca ngay",  # "chạy máy" (machines running) folds like "cháy máy"
    "cành cây gãy treo lơ lửng trên đường",  # no person hanging
    "a factory nearby releases black smoke",  # routine smoke: a report
])
def test_more_harmless_or_reported_words_are_not_danger(text: str) -> None:
    sig = safety.signals(text)
    assert sig.kinds == () or sig.past, (text, sig)


def test_figurative_phrase_is_blanked_before_danger_cues() -> None:
    sig = safety.signals("Kênh tiktok của em đang cháy view quá trời")  # "đang cháy" is in "cháy view"
    assert sig.kinds == () and sig.figurative
    assert safety.refine("Kênh tiktok của em đang cháy view quá trời", _decided("emergency"))["intent"] != "emergency"
    assert safety.signals("nhà kho đang cháy, lửa to lắm").kinds == ("fire",)


def test_call_for_help_with_a_scene_is_112_and_a_worry_is_not_asked_about() -> None:
    for text in ("cứu với, có chuyện ở bãi giữ xe rồi, tới gấp đi",
                 "Help!! something is going on at the gate, people are screaming"):
        decided = safety.refine(text, _decided("report_issue"))
        assert decided["intent"] == "emergency" and decided["categories"][0][0] == safety.UNCLEAR, text
    # the model's confident type does not survive a bare call for help with no type cue
    typed = safety.refine("SOS!!! mọi người đang chạy hết ra ngoài", _decided("emergency", emergency="fire") | {
        "emergency_categories": [("fire", 0.95)]})
    assert typed["categories"][0][0] == safety.UNCLEAR
    for text in ("cứu em với, mai thi cuối kỳ mà chưa học chữ nào", "ngập việc quá cứu tôi với"):
        assert safety.refine(text, _decided("out_of_scope"))["intent"] == "out_of_scope", text
    # a report the model is sure of, with a figure of speech, is not asked about
    sure = _decided("report_issue", "flooding_drainage") | {"intent_ranking": [("report_issue", 0.9), ("inform", 0.05)]}
    assert safety.refine("nhà mình ngập trong nước cống, phường ơi cứu với", sure)["intent"] == "report_issue"
    assert safety.refine("the hospital emergency room made us wait four hours", _decided("report_issue"))[
        "intent"] == "report_issue"


@pytest.mark.parametrize("text", [
    "nhân viên một cửa nói muốn nhanh thì đưa thêm phí dịch vụ, không có hóa đơn",
    "the police officer at the checkpoint made us pay him directly",
    "trưởng khoa bắt nhân viên nộp lại một phần tiền trực",
    "mấy ông trật tự phường lấy luôn thùng trái cây của tui đem về",
])
def test_more_accusations_are_denunciations(text: str) -> None:
    assert safety.signals(text).accusation, text


@pytest.mark.parametrize(("text", "kind"), [
    # LABELLING.md: swept away / drowning → rescue (114) even when the person is "missing"
    ("anh ấy bị nước cuốn mất tích", "rescue"),
    ("bé nhà tôi đi bơi ở hồ, giờ tìm không thấy đâu", "rescue"),
    ("con tôi đi học chưa thấy về, gọi không được", "crime"),  # a child missing now → 113
    # an accident with an injured person → 115; a stabbing → 113
    ("ô tô đâm người rồi bỏ chạy, nạn nhân nằm bất động", "medical"),
    ("thằng kia đâm người ở quán nhậu", "crime"),
])
def test_typing_follows_the_labelling_guide(text: str, kind: str) -> None:
    assert safety.signals(text).kinds[:1] == (kind,), text


# Session 5: structural cues found on data/nlu_eval/dev_round3.yaml.

@pytest.mark.parametrize("text", [
    "mai ton nha ben bi gio toc mot nua, dang lat phat, so bay xuong duong",
    "biển quảng cáo lung lay, tôi sợ nó rơi trúng người đi đường",
    "the sign is hanging loose and I'm afraid it will fall on someone",
])
def test_fear_of_a_harm_to_come_is_a_hazard(text: str) -> None:
    sig = safety.signals(text)
    assert sig.past and not sig.kinds, text
    assert safety.refine(text, _decided("emergency"))["intent"] == "report_issue", text


def test_fear_cue_does_not_hide_a_fire_in_a_house_number() -> None:
    assert safety.signals("nha so bay dang chay roi").kinds == ("fire",)


def test_someone_in_an_accident_with_a_call_to_come_is_112() -> None:
    text = "nguy rồi có người gặp nạn ở chân cầu anh ơi tới gấp"
    out = safety.refine(text, _decided("emergency", emergency="medical"))
    assert out["intent"] == "emergency" and out["categories"][0][0] == safety.UNCLEAR


def test_boasting_on_fire_is_no_fire_but_someone_else_on_fire_is() -> None:
    assert not safety.signals("I'm on fire at the gym today, new record").kinds
    assert safety.signals("help, he is on fire").kinds == ("fire",)


@pytest.mark.parametrize("text", [
    "The police at the checkpoint demanded cash before they would let our truck go",
    "the commune chairman signed over a plot of public land to his brother in law",
])
def test_english_demands_and_public_land_handed_over_are_accusations(text: str) -> None:
    assert safety.refine(text, _decided("report_issue"))["intent"] == "denounce", text


def test_model_type_is_kept_from_sure_type_without_a_cue() -> None:
    def decided(p: float) -> dict:
        return {**_decided("emergency"), "emergency_categories": [("rescue", p), ("medical", 1 - p)]}

    text = "bố tôi ở dưới công trường đường Láng"  # no cue: the model's type or 112
    assert not safety.signals(text).kinds
    assert safety.refine(text, decided(safety.SURE_TYPE)) == decided(safety.SURE_TYPE)  # the model's rescue stands
    assert safety.refine(text, decided(safety.SURE_TYPE - 0.1))["categories"][0][0] == safety.UNCLEAR


def test_a_habit_is_no_emergency() -> None:
    text = "con chó nhà bên hay cắn người đi qua, chủ không xích lại"
    assert safety.signals(text).past
    assert safety.refine(text, _decided("emergency"))["intent"] == "report_issue"


# Round 4 (data/nlu_eval/dev_round4.yaml): hyperbole and pets are no danger; more public
# actors and ways of taking.

@pytest.mark.parametrize("text", [
    "anh ơi team em vừa bị sập server game, ai sửa giùm",
    "that concert was insane, the crowd totally exploded when they came on",
    "ny t đang đi chơi vs đứa khác, t tức muốn nổ tung",
])
def test_hyperbole_names_no_danger(text: str) -> None:
    sig = safety.signals(text)
    assert not sig.kinds and sig.figurative, text


def test_hyperbole_cues_leave_real_danger_alone() -> None:
    assert safety.signals("nhà sập rồi có người bên trong").kinds == ("rescue",)
    assert safety.signals("bình ga nổ tung cả bếp").kinds == ("fire",)


def test_own_pet_is_off_topic() -> None:
    text = "con vẹt nhà tui tự nhiên rụng lông, nó bị bệnh gì"
    assert safety.refine(text, _decided("emergency"))["intent"] == "out_of_scope"


@pytest.mark.parametrize("text", [
    "the ward vice chairman is renting out the community hall and keeping the money",
    "bac si truong tram y te xa ban thuoc cap phat mien phi cho nguoi dan",
    "tổ trưởng tổ dân phố ép mọi nhà ký xác nhận để hưởng lợi",
    "ông giám đốc bệnh viện công cho người nhà trúng thầu thiết bị",
])
def test_more_public_actors_and_takings_are_accusations(text: str) -> None:
    assert safety.refine(text, _decided("report_issue"))["intent"] == "denounce", text


# Round 5 (data/nlu_eval/dev_round5.yaml): people at a height, acid in English, threats
# only when going on, fire-safety equipment and burning hearts, services held back for pay.


def test_a_threat_by_phone_is_no_emergency_without_now() -> None:
    assert not safety.signals("tín dụng đen khủng bố đt nhà mình, dọa tạt sơn").kinds


@pytest.mark.parametrize("text", [
    "gas station on our street has no fire extinguishers and people smoke next to the pumps",
    "chung cư không có bình chữa cháy, kiểm tra phòng cháy qua loa",
    "con tim em đang bốc cháy vì anh rồi đó",
    "đồ ăn quán này dở tệ, ăn xong muốn ngất",
])
def test_fire_equipment_and_hyperbole_name_no_danger(text: str) -> None:
    assert not safety.signals(text).kinds, text


def test_fire_words_next_to_equipment_still_count() -> None:
    assert safety.signals("the fire exit is blocked and the building is burning").kinds == ("fire",)


def test_a_service_held_back_until_paid_is_an_accusation() -> None:
    text = "the district land office lost my file on purpose until I paid an agent they recommended"
    assert safety.refine(text, _decided("report_issue"))["intent"] == "denounce"


def test_fire_equipment_is_a_report_not_chit_chat() -> None:
    sig = safety.signals("bình chữa cháy ở hành lang chung cư đã hết hạn từ lâu")
    assert not sig.kinds and not sig.figurative


# ---- session 6: classes found on the blind dev set dev_round6.yaml (written before any rule);
# their danger cases are in test_present_danger_is_typed

def test_violence_over_with_an_injury_left_is_medical_whatever_the_model_types() -> None:
    text = "he got stabbed in a fight, the fight is over and the attacker ran off, but he's bleeding a lot"
    decided = {**_decided("emergency", emergency="crime"), "emergency_categories": [("crime", 0.9)]}
    out = safety.refine(text, decided)
    assert out["intent"] == "emergency" and out["categories"][0][0] == "medical"
    # while the violence goes on it stays with the police
    assert safety.signals("có đứa cầm dao đang đuổi đánh người, một người chảy máu").kinds[0] == "crime"


@pytest.mark.parametrize("text", [
    "Bản tin tối nay: một vụ cháy lớn xảy ra tại khu công nghiệp ở Bình Dương",
    "Remember when Hoan Kiem lake flooded in 2008 and we paddled to school? Good times",
    "ờ con gà nướng mật ong tôi để lò lâu quá nó cháy đen thui rồi giờ còn cứu được không",
])
def test_news_memories_and_burnt_food_name_no_danger(text: str) -> None:
    out = safety.refine(text, _decided("report_issue"))
    assert out["intent"] != "emergency", text


@pytest.mark.parametrize("text", [
    "Two weeks ago scaffolding fell off the building site onto parked bikes, they put it back the same way",
    "Xưởng đốt vỏ dây điện sau nhà tui, chiều nào khói đen khét lẹt cũng bay vô nhà",
])
def test_weeks_ago_and_daily_habits_are_past(text: str) -> None:
    assert safety.signals(text).past, text


def test_a_late_procedure_deadline_is_no_chit_chat() -> None:
    text = "I applied for my baby's birth certificate 3 weeks ago, the legal deadline passed and nobody called"
    assert not safety.signals(text).figurative


def test_a_sure_denunciation_is_not_taken_over_by_the_pain_in_its_background() -> None:
    text = "bs ở bv huyện bảo muốn mổ sớm thì bồi dưỡng, không thì chờ tuần sau, mẹ t đau quằn quại"
    decided = {**_decided("denounce"), "intent_ranking": [("denounce", 0.99), ("emergency", 0.01)]}
    assert safety.refine(text, decided)["intent"] == "denounce"
    # with a "now" cue the danger is going on: the emergency path wins
    now = "bác sĩ đòi bồi dưỡng, mẹ tôi đang ngất xỉu không thở được"
    assert safety.refine(now, decided)["intent"] == "emergency"


def test_a_person_hurt_while_repairing_a_device_is_no_repair_question() -> None:
    text = "ong chu nha toi bi dien giat khi sua may bom, gio nam guc canh gieng"
    out = safety.refine(text, _decided("emergency", emergency="medical"))
    assert out["intent"] == "emergency" and out["categories"][0][0] == "medical"


def test_danger_words_in_sure_chit_chat_stay_chit_chat_unless_something_is_happening() -> None:
    sure = {**_decided("out_of_scope"), "intent_ranking": [("out_of_scope", 0.97), ("report_issue", 0.02)]}
    text = "I'm drowning in wedding planning, any tips for a photographer"
    assert safety.refine(text, sure)["intent"] == "out_of_scope"
    assert safety.refine("nhà bên đang cháy to lắm", sure)["intent"] == "emergency"  # a "now" cue


# ---- session 6: classes found on the blind dev sets dev_round7/8 (transcripts, long, dialect, English);
# their danger cases are in test_present_danger_is_typed

@pytest.mark.parametrize("text", [
    "co may nguoi dang danh bai an tien duoi chan cau thang",  # gambling, not a beating
    "co nhom thanh nien hut ma tuy, bat lua voi giay bac",  # a lighter, not a fire
    "co xuong dap kim loai dang chay may am am giua dem",  # a machine running
    "Chiếc xe buýt chạy lướt qua trạm, tui đứng vẫy muốn gãy tay",  # hyperbole
    "cho tha rong can nguoi",  # a habit, not an injury now
    "Thang máy hỏng hai tuần, ban quản lý đang chờ linh kiện. Không ai bị kẹt nhưng rất vất vả",
    # session 7: English look-alikes from the English and storm data
    "the fire prevention inspector refused to sign our cafe off until the owner gave him 5 million in cash",
    "the ambulance took 50 minutes to come when my neighbour fell last week, he is ok now but that is far too slow",
    "my phone was snatched on Hang Bac two hours ago by a guy on a bike, im fine, where do i report it",
    "someone set the rubbish heap in our alley on fire last night, its out now but half burnt trash is still there",
    "the tofu workshop next door puffs black smoke every morning, its not a fire, just their coal stove",
    "a motorbike fell into the pothole this morning, the rider was ok, but the hole is still there full of water",
    "hầm chui ngập gần nửa mét, xe đến miệng hầm đều quay đầu, không xe nào bị mắc lại bên trong",
    "mấy quán nhậu kê bàn ra tận giữa lòng đường, ambulance còn không qua nổi",
    "cái áo này fire quá, shop nào bán vậy mn",
    "lol i nearly had a heart attack at the price of durian here",
])
def test_look_alikes_name_no_danger_now(text: str) -> None:
    sig = safety.signals(text)
    assert sig.kinds == () or (sig.past and not sig.now), (text, sig)


@pytest.mark.parametrize("text", [
    "Chết rồi chết rồi, nhà o Hoa xóm ni có chuyện, người ta chạy tán loạn, tới mau đi",
    "mn ơi có biến lớn ở cổng ktx, ai gọi ng tới gấp đi",
    "Tôi không nói to được. Tôi ở phòng 305 nhà nghỉ Hoa Mai. Làm ơn cho người đến ngay",
])
def test_untyped_alarms_are_112(text: str) -> None:
    out = safety.refine(text, _decided("report_issue"))
    assert out["intent"] == "emergency" and out["categories"][0][0] == safety.UNCLEAR, (text, out.get("safety"))


def test_gambling_for_money_is_no_accusation_against_the_police_asked_to_act() -> None:
    text = "Chiều nào cũng có vài chục người tụ tập đánh bài ăn tiền. Đề nghị công an xử lý dứt điểm"
    assert not safety.signals(text).accusation


def test_fee_without_receipt_for_a_dossier_is_an_accusation() -> None:
    text = "Tui nộp hồ sơ làm căn cước cho con, cô nhân viên nói muốn lẹ thì gửi thêm 500 ngàn, hổng có biên lai"
    assert safety.signals(text).accusation


# ---- session 6, last round: classes from the fourth hard batch, read once it became a dev set

@pytest.mark.parametrize("text", [
    "Rãnh thoát nước trước nhà tui bị đất lấp hết, mưa chi là nước tràn vô sân",  # a drain, not a burial
    "nc sông tràn bờ vào mấy nhà ven sông, chưa nhà nào bị cô lập nhưng sợ lắm",  # a denied danger
    "Is the fire sale at Vincom this weekend real or are the discounts a scam?",
    "Đang kẹt trong một mối quan hệ toxic mà không biết thoát ra sao",
    "trà sữa quán này ngon xỉu, ai ở Cầu Giấy thì ghé thử nha",
])
def test_round_hard4_look_alikes_name_no_danger_now(text: str) -> None:
    sig = safety.signals(text)
    assert sig.kinds == () or sig.past or sig.calm, (text, sig)


def test_dredging_and_insurance_are_not_a_vet_or_the_news() -> None:
    sig = safety.signals("benh vien het thuoc cap theo bao hiem, xin nao vet cong truoc nha")
    assert not sig.off_topic and not sig.figurative


def test_symptoms_now_after_an_earlier_meal_are_an_emergency() -> None:
    text = "Tiệc cưới bữa trưa nay mà giờ mấy chục người ói mửa, có mấy ông bà già xỉu luôn rồi"
    out = safety.refine(text, _decided("out_of_scope"))
    assert out["intent"] == "emergency" and out["categories"][0][0] == "medical"


def test_a_gang_said_not_to_be_officials_is_no_accusation() -> None:
    text = "Một nhóm giang hồ thu tiền bảo kê mỗi sạp 300 nghìn, tụi hắn không phải cán bộ chi mô"
    assert not safety.signals(text).accusation


def test_a_gang_the_model_takes_for_a_denunciation_is_a_public_security_report() -> None:
    text = "bon xa hoi den tu thu tien trong giu xe cua cac quan an, ai khong dong thi bi rach yen xe"
    out = safety.refine(text, _decided("denounce"))
    assert out["intent"] == "report_issue" and out["categories"][0][0] == "public_security"
    police = "công an phường bảo kê cho bọn xã hội đen thu tiền các quán"
    assert safety.refine(police, _decided("denounce"))["intent"] == "denounce"


# ---- session 7: classes from the fifth hard batch, read once it became a dev set


def test_sure_situation_types_the_number_when_only_an_illness_is_named() -> None:
    # people shut in a lift and one short of breath: the model's sure "rescue" decides 114
    text = "cả nhà mắc trong buồng thang, bà tôi khó thở"
    sure = {**_decided("emergency", emergency="rescue"), "emergency_categories": [("rescue", 0.95)]}
    assert safety.refine(text, sure)["categories"][0][0] == "rescue"
    unsure = {**_decided("emergency", emergency="rescue"), "emergency_categories": [("rescue", 0.6)]}
    assert safety.refine(text, unsure)["categories"][0][0] == "medical"


@pytest.mark.parametrize("text", [
    "Ghế đá gãy chân, bãi cỏ trụi lơ ở vườn hoa Hàng Đậu",  # furniture
    "This bun cha is fire, my mouth is literally burning from the chili, 10 out of 10",  # praise
    "Tối qua tôi mơ thấy nhà mình bị cháy, mơ thấy cháy nhà có phải sắp có lộc không?",  # a dream
    "thang may toa CT2 hay dung lai giua tang roi moi chay tiep, ban quan ly khong kiem tra",  # a habit
])
def test_session7_look_alikes_are_no_emergency(text: str) -> None:
    out = safety.refine(text, _decided("report_issue"))
    assert out["intent"] != "emergency", (text, out.get("safety"))


def test_a_danger_met_last_week_is_a_report_however_sure_the_model_is() -> None:
    text = "Tuần trước có bé bị kẹt tay vào khe thang cuốn, đã gỡ ra được rồi, nhưng khe hở chưa ai sửa"
    sure = {**_decided("emergency", emergency="rescue"),
            "intent_ranking": [("emergency", 0.95), ("report_issue", 0.04)]}
    assert safety.refine(text, sure)["intent"] == "report_issue"
    # an injury still there is no danger met
    hurt = "alo anh em bị điện giật lúc bơm nước giờ nằm đấy không thở mọi người đã kéo ra được"
    assert safety.refine(hurt, sure)["intent"] == "emergency"


def test_there_is_fire_is_a_fire_and_nobody_able_to_put_it_out_is_no_danger_met() -> None:
    text = "there is fire on the balcony of the apartment above mine and burning bits are dropping onto ours"
    assert safety.refine(text, _decided("report_issue"))["intent"] == "emergency"
    text = "Nhà o Hoa cháy to rứa, lửa bén qua mái tôn nhà bên rồi tề, mô có ai dập được mô"
    assert safety.refine(text, _decided("emergency", emergency="fire"))["intent"] == "emergency"


def test_straw_burning_every_evening_is_a_report_when_the_model_barely_hears_an_emergency() -> None:
    text = "The straw burning next to our block every evening fills the whole apartment with smoke"
    unsure = {**_decided("emergency", emergency="fire"), "intent_ranking": [("emergency", 0.55), ("report_issue", 0.4)]}
    assert safety.refine(text, unsure)["intent"] == "report_issue"


# ---- session 7: misfires found by refining every training example with a model 0.8 sure of
# its own label (a danger cue overriding a right answer)


@pytest.mark.parametrize(("text", "intent"), [
    # a repair shop on fire and a repairman stuck outside a window are no device questions
    ("ac ơi cái tiệm sửa xe sát vách nhà e bốc cháy r, lửa to lém, khói tràn vô phòng e", "emergency"),
    ("nguoi tho sua dieu hoa bi ket ngoai ban cong tang 9, day bao hiem dut", "emergency"),
    # symptoms that sound like a collapse or a fire
    ("an old lady at the market is burning hot, confused and not sweating", "emergency"),
    # a film, a toy and "nha do" (that house) name nothing happening
    ("xem phim Hậu duệ mặt trời đoạn động đất sập nhà mà khóc cả tối", "out_of_scope"),
    ("Con búp bê của bé gãy tay rồi, chỗ nào sửa đồ chơi hả bạn", "out_of_scope"),
])
def test_session7_context_decides(text: str, intent: str) -> None:
    model = _decided(intent, emergency="medical")
    out = safety.refine(text, model)
    assert out["intent"] == intent, (text, out.get("safety"), safety.signals(text))


def test_nha_do_is_that_house_not_a_collapse() -> None:
    assert "rescue" not in safety.signals("toi thay den pin roi trong phong ma nha do di du lich").kinds


def test_someone_still_in_the_water_is_now_after_a_morning_cue() -> None:
    text = ("Sáng nay nước suối tràn qua đường ngầm, một thanh niên bị dòng nước hất xuống, "
            "giờ anh ta bám được vào cái cột mốc giữa dòng, nước vẫn lên")
    assert safety.signals(text).now


# ---- session 7: classes from the seventh hard batch, read once it had been measured

def test_teencode_expansion_does_not_hide_plain_cues() -> None:
    # "cho ng toi ngay ... ko noi dc" arrives as "cho người toi ngay ... không noi được"
    sig = safety.signals(normalize("ad oi cho ng toi ngay phong 1208, nguy lam r, e ko noi dc nhieu"))
    assert sig.alarm, sig


@pytest.mark.parametrize("text", [
    "cong trinh ko che chan, vat lieu roi xuong duong",  # "không che chắn", not "khống chế"
    "cong trinh khong che chan, gach roi xuong ngo",
])
def test_not_screened_off_is_no_restraint(text: str) -> None:
    assert "crime" not in safety.signals(normalize(text)).kinds


def test_a_request_to_the_operator_is_no_news_report() -> None:
    assert not safety.signals("Nhờ tổng đài báo công ty nước sạch đến khóa van và sửa ống").figurative


def test_what_happens_whenever_is_no_emergency_now() -> None:
    text = "Trạm y tế xã hết vắc-xin dại cả tháng ni rồi, con nít bị chó cắn là phải chở xuống tận dưới thị xã"
    assert safety.signals(text).past


def test_a_figure_of_speech_with_nobody_in_office_is_no_denunciation() -> None:
    out = safety.refine("kẹt tiền qá mn ơi, ai cho e mượn 500k đóng tiền trọ ko", _decided("denounce"))
    assert out["intent"] == "out_of_scope"
    drowning = safety.refine("I'm drowning in thesis revisions, send help", _decided("report_issue"))
    assert drowning["intent"] != "emergency"
