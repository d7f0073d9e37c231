"""Lost property and "where do I report to the police": the ward police desk, not a complaint form.

"tôi bị mất ví ở bến xe, báo công an ở đâu" is a question with an answer (the police of the ward
where it happened, data/desks.yaml), not a problem for a city unit to fix; opening the report form
for it wastes the citizen's time. A crime in progress still goes to the emergency flow (113).
"""

from __future__ import annotations

from feedback_router.booking.service import DeskKind
from feedback_router.core.catalog import catalog
from feedback_router.booking.desks import desk_data
from nlu.gazetteer import ward_by_unit_id
from nlu.text import fold
from tourism.answer import unit_name as english_unit_name

_LOST = ("mat vi", "mat tui", "mat dien thoai", "mat giay to", "mat the can cuoc", "mat cccd", "mat tien",
         "mat do", "mat xe", "bi moc tui", "bi trom", "danh roi", "that lac", "roi mat", "nhat duoc",
         "lost my", "lost wallet", "lost a", "stolen", "pickpocket", "robbed")
_POLICE = ("bao cong an", "trinh bao", "cong an o dau", "cong an phuong", "don cong an", "tim cong an",
           "police", "report it", "report to")
_WHERE = ("o dau", "cho nao", "where", "how do i", "who do i", "lam gi", "lam sao", "the nao", "phai lam")
CITY_POLICE_UNIT = "cong-an-ha-noi"
EMERGENCY_UNIT = "canh-sat-113"


def _has(folded: str, cues: tuple[str, ...]) -> bool:
    return any(f" {c} " in folded for c in cues)


def asks_police_desk(text: str) -> bool:
    """Lost property, or a question about where to report to the police."""
    folded = f" {' '.join(fold(text).replace(',', ' ').replace('?', ' ').split())} "
    lost, police, where = _has(folded, _LOST), _has(folded, _POLICE), _has(folded, _WHERE)
    return (lost and (police or where)) or (police and where)


def police_desk_answer(ward_unit_id: str | None, lang: str) -> str:
    """The ward police desk (name, address, hours, phone) or, without a ward, how to find it."""
    en = lang == "en"
    emergency = catalog().units.get(EMERGENCY_UNIT)
    hotline = (emergency.hotline if emergency else None) or "113"
    desk = desk_data().for_ward(ward_unit_id, DeskKind.ward_police) if ward_unit_id else None
    if desk is None:
        return ("Report a loss or theft to the police of the ward or commune where it happened "
                f"(each ward has its own police station). Tell me the ward and I will give you the address. "
                f"If you are in danger or see a crime happening, call {hotline} now." if en else
                "Mất đồ, bị trộm: bạn trình báo tại Công an phường/xã nơi xảy ra sự việc. Bạn cho tôi biết "
                f"phường/xã (hoặc tên bến xe, địa chỉ) để tôi chỉ trụ sở. Nguy hiểm, đang có tội phạm: gọi ngay "
                f"{hotline}.")
    ward = ward_by_unit_id(ward_unit_id) if ward_unit_id else None
    sessions = desk.schedule.weekly.get(0, ())
    hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in sessions)
    phone = desk.phone or hotline
    if en:
        place = english_unit_name(ward.full_name, "en") if ward else desk.name
        return (f"Report it to the police of {place}: {desk.address}.\n"
                f"Desk hours: Monday–Friday {hours}.\nPhone: {phone}"
                + (" (police emergency line; the ward station's own number is not in my data)." if not desk.phone
                   else ".")
                + "\nBring an ID document; they will give you a written confirmation of the loss.")
    return (f"Bạn trình báo tại {desk.name}: {desk.address}.\n"
            f"Giờ tiếp dân: thứ Hai – thứ Sáu {hours}.\nĐiện thoại: {phone}"
            + (" (đường dây nóng công an; số riêng của công an phường chưa có trong dữ liệu)." if not desk.phone
               else ".")
            + "\nMang theo giấy tờ tùy thân; công an sẽ xác nhận trình báo mất đồ cho bạn.")
