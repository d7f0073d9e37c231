"""Suggestions and denunciations at the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from feedback_router.civic import denunciations as dn
from feedback_router.civic import suggestions as sg
from feedback_router.civic.models import Denunciation, Suggestion, SuggestionSupport
from feedback_router.core.db import session_scope
from feedback_router.civic.identity_crypto import Identity
from feedback_router.core.models import Contact, DashboardUser
from feedback_router.messaging.models import Outbox
from tests.civic.conftest import INSPECTORATE, WARD, Secret

BUS = "Đề nghị lắp thêm điểm dừng xe buýt ở đầu ngõ 100 Hoàng Quốc Việt"
WARD_IDEA = "Phường Láng nên mở thêm giờ làm việc của bộ phận một cửa vào sáng thứ bảy"


def _outbox(engine: Engine) -> list[Outbox]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def test_suggestion_routed_like_a_complaint(engine: Engine) -> None:
    bus = sg.create_suggestion(text=BUS, sender_id="web:author-1", publish=True, engine=engine)
    assert (bus.topic, bus.unit_id, bus.status, bus.published) == ("transport", "so-xay-dung", "received", True)
    assert bus.code.startswith("GY-")
    ward = sg.create_suggestion(text=WARD_IDEA, sender_id="web:author-1", publish=False, engine=engine)
    assert (ward.topic, ward.unit_id, ward.published) == ("procedure", WARD, False)
    vague = sg.create_suggestion(text="Thành phố nên có thêm nhiều hoạt động cho người cao tuổi",
                                 sender_id="web:author-2", publish=False, engine=engine)
    assert vague.unit_id == "triage"  # nothing recognised, no place: a supervisor assigns it
    with pytest.raises(sg.SuggestionError):
        sg.create_suggestion(text="ngắn", sender_id="web:x", publish=True, engine=engine)
    with session_scope(engine) as s:
        item = sg.get(s, bus.code)
        assert item is not None and [e.kind for e in item.events] == ["status", "publish"]
        assert item.contact is not None and item.contact.sender_id == "web:author-1"


def test_status_transitions_answers_and_outbox(engine: Engine) -> None:
    receipt = sg.create_suggestion(text=BUS, sender_id="telegram:4242", publish=False, engine=engine)
    with session_scope(engine) as s:
        item = sg.get(s, receipt.code)
        assert item is not None
        with pytest.raises(sg.SuggestionError):  # a decision needs an answer for the author
            sg.change_status(s, item, "accepted", actor="staff:a")
        sg.change_status(s, item, "under_review", actor="staff:a")
        with pytest.raises(sg.SuggestionError):
            sg.change_status(s, item, "received", actor="staff:a")
        sg.answer(s, item, "Sở đang khảo sát vị trí cùng Trung tâm điều hành giao thông.", actor="staff:a")
        sg.change_status(s, item, "accepted", actor="staff:a", answer="Sẽ lắp điểm dừng trong quý tới.")
        with pytest.raises(sg.SuggestionError):  # final
            sg.change_status(s, item, "declined", actor="staff:a", answer="x")
        assert [e.kind for e in item.events] == ["status", "status", "answer", "status"]
    rows = _outbox(engine)
    assert [r.recipient for r in rows] == ["telegram:4242"] * 3 and {r.channel for r in rows} == {"telegram"}
    assert "Đang nghiên cứu" in rows[0].text
    assert "khảo sát vị trí" in rows[1].text
    assert "Được tiếp thu" in rows[2].text and "Sẽ lắp điểm dừng" in rows[2].text
    assert all(r.ticket_id is None and r.payload["suggestion_code"] == receipt.code for r in rows)


def test_one_support_per_channel_identity(engine: Engine) -> None:
    receipt = sg.create_suggestion(text=BUS, sender_id="web:author", publish=True, engine=engine)
    assert sg.support(receipt.code, "web:fan-1", engine) == (True, 1)
    assert sg.support(receipt.code, "web:fan-1", engine) == (False, 1)
    assert sg.support(receipt.code.lower(), "telegram:fan-1", engine) == (True, 2)  # another channel identity
    with pytest.raises(sg.SuggestionError):
        sg.support(receipt.code, "web:author", engine)  # no self-support
    with pytest.raises(sg.SuggestionNotFound):
        sg.support("GY-0101-ZZZZ", "web:fan-1", engine)
    # the database itself refuses a second row for the same (suggestion, contact)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        item = sg.get(s, receipt.code)
        fan = s.scalar(select(Contact).where(Contact.sender_id == "web:fan-1"))
        assert item is not None and fan is not None
        s.add(SuggestionSupport(suggestion_id=item.id, contact_id=fan.id))
        s.flush()
    with session_scope(engine) as s:
        item = sg.get(s, receipt.code)
        assert item is not None and item.support_count == 2


def test_concurrent_supports_from_one_identity_count_once(engine: Engine) -> None:
    receipt = sg.create_suggestion(text=BUS, sender_id="web:author", publish=True, engine=engine)
    sg.support(receipt.code, "web:rival", engine)  # the contact row exists: only the support races

    def attempt(_: int) -> bool:
        try:
            return sg.support(receipt.code, "web:same-person", engine)[0]
        except IntegrityError:
            return False  # SQLite may surface the loser's conflict at commit

    with ThreadPoolExecutor(max_workers=8) as pool:
        counted = list(pool.map(attempt, range(16)))
    assert counted.count(True) == 1
    with session_scope(engine) as s:
        item = sg.get(s, receipt.code)
        assert item is not None and item.support_count == 2
        assert len(list(s.scalars(select(SuggestionSupport).where(SuggestionSupport.suggestion_id == item.id)))) == 2


def test_publication_needs_consent(engine: Engine) -> None:
    private = sg.create_suggestion(text=BUS, sender_id="web:a", publish=False, engine=engine)
    public = sg.create_suggestion(text=WARD_IDEA, sender_id="web:b", publish=True, engine=engine)
    items, _ = sg.public_list(engine)
    assert [i.code for i in items] == [public.code]
    assert sg.public_get(private.code, engine) is None
    with pytest.raises(sg.SuggestionNotFound):
        sg.support(private.code, "web:c", engine)
    with session_scope(engine) as s:
        item = sg.get(s, private.code)
        assert item is not None
        with pytest.raises(sg.SuggestionError):
            sg.set_published(s, item, True, actor="staff:x")
        shown = sg.get(s, public.code)
        assert shown is not None
        sg.set_published(s, shown, False, actor="staff:x", reason="có thông tin cá nhân")
    assert sg.public_get(public.code, engine) is None and sg.public_list(engine)[0] == []


def _inspector(engine: Engine, username: str = "insp") -> DashboardUser:
    with session_scope(engine) as s:
        user = s.scalar(select(DashboardUser).where(DashboardUser.username == username))
        assert user is not None
        s.expunge(user)
        return user


def test_denunciation_goes_to_the_inspectorate_never_the_unit_denounced(engine: Engine, staff: None) -> None:
    secret = Secret()
    text = "Cán bộ địa chính UBND phường Láng nhận hối lộ 20 triệu đồng để cấp sổ đỏ sai quy định"
    formal = dn.file_denunciation(text=text, anonymous=False, engine=engine,
                                  identity=Identity(secret.name, secret.phone, secret.address, secret.sender_id))
    assert (formal.handler_unit_id, formal.anonymous, formal.status) == (INSPECTORATE, False, "received")
    dept = dn.file_denunciation(text="Một cán bộ Sở Xây dựng Hà Nội nhận tiền để bỏ qua công trình sai phép",
                                anonymous=True, engine=engine)
    with session_scope(engine) as s:
        rows = {d.code: d for d in s.scalars(select(Denunciation))}
        assert rows[formal.code].subject_unit_id == WARD and rows[formal.code].handler_unit_id == INSPECTORATE
        assert rows[dept.code].subject_unit_id == "so-xay-dung" and rows[dept.code].handler_unit_id == INSPECTORATE
        assert rows[dept.code].identity_token is None  # anonymous: nothing about the person at all
        assert secret.name not in rows[formal.code].identity_token  # type: ignore[operator]
        # no contact row, no outbox row: nothing pairs the sender with the case
        assert s.scalar(select(Contact).where(Contact.sender_id == secret.sender_id)) is None
        assert list(s.scalars(select(Outbox))) == []


def test_formal_needs_name_and_address(engine: Engine) -> None:
    text = "Chủ tịch xã Sóc Sơn thu tiền trái phép của người dân khi làm thủ tục đất đai"
    with pytest.raises(dn.DenunciationError):
        dn.file_denunciation(text=text, anonymous=False, engine=engine)
    with pytest.raises(dn.DenunciationError):
        dn.file_denunciation(text=text, anonymous=False, engine=engine, identity=Identity("An", None, None))
    with pytest.raises(dn.DenunciationError):
        dn.file_denunciation(text="hối lộ", anonymous=True, engine=engine)


def test_identity_only_for_inspectors_and_each_reading_is_recorded(engine: Engine, staff: None) -> None:
    secret = Secret()
    receipt = dn.file_denunciation(text="Cán bộ UBND phường Láng đòi tiền bồi dưỡng khi cấp giấy phép xây dựng",
                                   anonymous=False, engine=engine,
                                   identity=Identity(secret.name, secret.phone, secret.address, secret.sender_id))
    insp, insp_ward = _inspector(engine), _inspector(engine, "insp_ward")
    with session_scope(engine) as s:
        sup = s.scalar(select(DashboardUser).where(DashboardUser.username == "sup"))
        op = s.scalar(select(DashboardUser).where(DashboardUser.username == "op_tt"))
        assert sup is not None and op is not None
        assert dn.get_for(s, receipt.code, sup) is None and dn.get_for(s, receipt.code, op) is None
        assert dn.get_for(s, receipt.code, insp_ward) is None  # inspector posted in the denounced unit
        item = dn.get_for(s, receipt.code, insp)
        assert item is not None
        with pytest.raises(PermissionError):
            dn.read_identity(s, item, sup)
        identity = dn.read_identity(s, item, insp)
        assert identity is not None and (identity.name, identity.phone) == (secret.name, secret.phone)
        assert identity.sender_id == secret.sender_id
        assert [e.kind for e in item.events][-1] == "identity_view" and item.events[-1].actor == "staff:insp"


def test_denunciation_transitions(engine: Engine) -> None:
    anon = dn.file_denunciation(text="Cán bộ thuế phường Láng gợi ý nộp tiền ngoài để được giảm thuế",
                                anonymous=True, engine=engine)
    formal = dn.file_denunciation(text="Cán bộ thuế phường Láng gợi ý nộp tiền ngoài để được giảm thuế",
                                  anonymous=False, engine=engine, identity=Identity("Lê Văn Tố", None, "Số 1 Láng"))
    with session_scope(engine) as s:
        a = s.scalar(select(Denunciation).where(Denunciation.code == anon.code))
        f = s.scalar(select(Denunciation).where(Denunciation.code == formal.code))
        assert a is not None and f is not None
        with pytest.raises(dn.DenunciationError):  # no formal handling without an identity
            dn.change_status(s, a, "accepted", actor="staff:insp")
        dn.change_status(s, a, "info_only", actor="staff:insp", note="chuyển đoàn kiểm tra")
        dn.change_status(s, a, "concluded", actor="staff:insp")
        dn.change_status(s, f, "accepted", actor="staff:insp")
        with pytest.raises(dn.DenunciationError):
            dn.change_status(s, f, "received", actor="staff:insp")
        dn.change_status(s, f, "concluded", actor="staff:insp")
        assert dn.allowed_next(f) == [] and a.status.value == "concluded"


def test_suggestions_table_has_no_personal_columns(engine: Engine) -> None:
    """The public page reads Suggestion; nothing personal may be one attribute away."""
    assert {c.name for c in Suggestion.__table__.columns} & {"phone", "name", "sender_id", "address"} == set()
    assert {c.name for c in Denunciation.__table__.columns} & {"phone", "name", "sender_id", "address",
                                                               "contact_id"} == set()


def test_migration_merges_the_heads_and_upgrades_an_existing_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from feedback_router.core.db import make_engine
    from feedback_router.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = alembic_config(url)
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1  # one head again
    for head in ("a3c9e5d1b2f4", "b7d2e4f61a90", "c4e8a1f2d3b5"):  # a database from before this change
        command.upgrade(cfg, head)
    engine = make_engine(url)
    assert "suggestions" not in inspect(engine).get_table_names()
    command.upgrade(cfg, "heads")
    tables = set(inspect(make_engine(url)).get_table_names())
    assert {"suggestions", "suggestion_events", "suggestion_supports", "denunciations",
            "denunciation_events"} <= tables
    command.downgrade(cfg, "b7d2e4f61a90")  # back to the three heads
    assert "denunciations" not in inspect(make_engine(url)).get_table_names()
    engine.dispose()
