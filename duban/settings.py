"""The ledger's settings: every number the sources leave open is a setting, not a constant.

Each setting has an English snake_case key, a default (with the source line it comes
from, where there is one), a parser that validates the clerk's text, and a Chinese
meaning shown by ``duban rules show``. Values are stored as text in the ledger's
``settings`` table so they travel with the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput


def _int_between(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise InvalidInput(f"应为整数，收到“{text}”") from None
        if not lo <= value <= hi:
            raise InvalidInput(f"应在 {lo} 到 {hi} 之间，收到 {value}")
        return value

    return parse


def _bool(text: str) -> bool:
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on", "是", "开", "开启"):
        return True
    if value in ("0", "false", "no", "off", "否", "关", "关闭"):
        return False
    raise InvalidInput(f"应为 是/否（true/false），收到“{text}”")


def _text(text: str) -> str:
    value = str(text).strip()
    if not value:
        raise InvalidInput("不能为空")
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = str(text).strip()
        if value not in options:
            raise InvalidInput(f"可选值为 {'、'.join(options)}，收到“{value}”")
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    parse: Callable[[str], Any]
    meaning: str
    source: str = "默认值"


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting(
            "near_due_workdays",
            3,
            _int_between(0, 60),
            "距办理时限不超过该工作日数时亮黄灯（临期）",
            "DOMAIN.md §5 默认值",
        ),
        Setting(
            "default_due_workdays",
            15,
            _int_between(1, 365),
            "立项依据未给出时限时，自交办次日起计算的默认办理工作日数",
            "seeds/003:L467（无办结时限要求的，应于15个工作日办结）",
        ),
        Setting(
            "review_required",
            False,
            _bool,
            "办结后是否须经审核（四查）才销号；否则办结即销号",
            "seeds/003:L239（“四查”严审）",
        ),
        Setting("office_name", "督查室", _text, "督查机构名称，用于专报和通知的落款"),
        Setting(
            "light_preset",
            "三色",
            _choice("三色", "四色"),
            "亮灯方案：三色（红黄绿）或四色（蓝为临期）",
            "DOMAIN.md §5",
        ),
    ]
}


def resolve(stored: Mapping[str, str]) -> dict[str, Any]:
    """All settings as typed values: stored text where present, defaults elsewhere."""
    values = {}
    for key, setting in SETTINGS.items():
        values[key] = setting.parse(stored[key]) if key in stored else setting.default
    return values


def validate(key: str, text: str) -> Any:
    setting = SETTINGS.get(key)
    if setting is None:
        raise InvalidInput(f"没有名为“{key}”的设置项，可用：{'、'.join(SETTINGS)}")
    try:
        return setting.parse(text)
    except InvalidInput as exc:
        raise InvalidInput(f"设置项 {key} {exc.message}") from None


def to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
