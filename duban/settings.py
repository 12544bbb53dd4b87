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


def _ref_prefix(text: str) -> str:
    value = _text(text)
    if any(ch in value for ch in "〔〕[]/\\") or len(value) > 20:
        raise InvalidInput(f"应为不超过20个字的机关代字（不含〔〕、/），收到“{value}”")
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = str(text).strip()
        if value not in options:
            raise InvalidInput(f"可选值为 {'、'.join(options)}，收到“{value}”")
        return value

    return parse


def _points(text: str) -> float:
    """Points of the 计公分 scheme: a number, positive for a reward, negative for a deduction."""
    try:
        value = float(str(text).strip().replace("＋", "+").replace("－", "-"))
    except ValueError:
        raise InvalidInput(f"应为分值（如 2、-0.5），收到“{text}”") from None
    if not -1000 <= value <= 1000:
        raise InvalidInput(f"分值应在 -1000 到 1000 之间，收到 {value:g}")
    return int(value) if value == int(value) else value


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    parse: Callable[[str], Any]
    meaning: str
    source: str = "默认值"


CADENCE_WORDS = ("周", "旬", "月", "无")


def parse_cadence(text: str) -> str:
    """A feedback cadence: N (working days), 周, 旬, 月 or 无."""
    value = str(text).strip()
    if value in CADENCE_WORDS:
        return value
    if value.isdigit() and 1 <= int(value) <= 60:
        return str(int(value))
    raise InvalidInput(f"反馈频次应为 1–60 的工作日数，或 周、旬、月、无，收到“{text}”")


def _cadence(key: str, default: str, klass: str, source: str) -> Setting:
    return Setting(key, default, parse_cadence, f"{klass}事项的进展反馈频次（工作日数，或 周/旬/月/无）", source)


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("near_due_workdays", 3, _int_between(0, 60),
                "距办理时限不超过该工作日数时为临期（三色亮黄灯，四色亮蓝灯），并发提醒", "DOMAIN.md §5、§6 默认值"),
        Setting("progress_lag_points", 20, _int_between(1, 100),
                "反馈的完成百分比落后序时进度超过该百分点数时亮黄灯", "DOMAIN.md §5 默认值"),
        Setting("default_due_workdays", 15, _int_between(1, 365),
                "立项依据未给出时限时，自交办次日起计算的默认办理工作日数",
                "seeds/003:L467（没有办结时限要求的，应于15个工作日办结）"),
        Setting("first_feedback_workdays", 0, _int_between(0, 60),
                "交办后首次反馈的期限（工作日；0 表示按反馈频次）", "seeds/003:L455（“11350”：3个工作日内反馈）"),
        _cadence("cadence_quick", "3", "速办", "seeds/003:L469（速办速报类一般3个工作日内反馈）"),
        _cadence("cadence_plan", "5", "方案", "seeds/003:L469（方案意见举措类一般5个工作日内反馈）"),
        _cadence("cadence_key", "旬", "重点", "seeds/003:L469（重点工作、重大任务类一般按旬反馈）"),
        _cadence("cadence_routine", "月", "常规", "seeds/003:L469（其他类一般按月反馈）"),
        _cadence("cadence_longterm", "月", "长期（无办理时限）", "DOMAIN.md §8（长期/持续推进按月反馈）"),
        Setting("cadence_co_units", False, _bool,
                "配合单位是否也按反馈频次考核（否则只考核牵头单位）", "DOMAIN.md §3（统计以牵头单位为准）"),
        Setting("level1_overdue_workdays", 1, _int_between(1, 365),
                "逾期达到该工作日数升为1级（催办）", "DOMAIN.md §6 默认值；seeds/003:L547 预警提醒单"),
        Setting("level2_overdue_workdays", 5, _int_between(1, 365),
                "逾期达到该工作日数升为2级（督办单，黄牌）", "DOMAIN.md §6 默认值；seeds/002 黄色警告"),
        Setting("level3_overdue_workdays", 10, _int_between(1, 365),
                "逾期达到该工作日数升为3级（挂牌督办，红牌）", "DOMAIN.md §6 默认值；seeds/002 红牌亮剑"),
        Setting("level2_unanswered_reminders", 2, _int_between(1, 20),
                "催办该次数仍无反馈，升为2级（督办单）", "DOMAIN.md §6 默认值"),
        Setting("level3_unanswered_reminders", 3, _int_between(1, 20),
                "催办该次数仍无反馈，升为3级（挂牌督办）", "DOMAIN.md §6 默认值"),
        Setting("remind_interval_workdays", 3, _int_between(1, 60),
                "同一单位同一事项再次催办的间隔（工作日）；逾期天数跨过更高一级门槛时立即升级，不受此限",
                "DOMAIN.md §6；间隔取 seeds/003:L469 速办速报类3个工作日"),
        Setting("reply_workdays", 3, _int_between(1, 60),
                "提醒函、催办通知、督办单要求责任单位书面反馈的期限（自发出次日起的工作日数）",
                "seeds/003:L469（速办速报类一般3个工作日内反馈）"),
        Setting("review_required", False, _bool,
                "办结后是否须经审核（四查）才销号；否则办结即销号", "seeds/003:L239（“四查”严审）"),
        Setting("pause_extends_due", True, _bool,
                "恢复办理时，办理时限是否按暂缓期间的工作日数顺延（暂缓期间停止计时）", "DOMAIN.md §4（暂缓停止计时）"),
        Setting("sign_within_workdays", 2, _int_between(1, 60),
                "交办后该工作日数内未签收的，亮黄灯提示“未签收”",
                "DOMAIN.md §3（宜昌：事项 → 审核 → 下发 → 签收 → 办理）；seeds/003:L237（第一时间接收指令）；"
                "默认2个工作日（issue 13）"),
        Setting("office_name", "督查室", _text, "督查机构名称，用于专报和通知的落款"),
        Setting("notice_ref_prefix", "督办", _ref_prefix,
                "文号的机关代字：催办通知、督办单、任务交办单、任务销号单等按年统一编号，如“督办〔2026〕12号”",
                "GB/T 9704-2012 §7.2.4 发文字号（机关代字、年份、发文顺序号）"),
        Setting("burden_limit", 15, _int_between(1, 1000),
                "减负：一个单位一周内被提出的要求（催办、督办、应报进展、报表、在办事项之和）超过该数即提示",
                "seeds/003:L519–521、L1021–1035（督查检查过多过频）；默认按每个工作日不超过3项次（5×3），"
                "与 seeds/003:L469 速办速报类3个工作日一报的节奏相当"),
        Setting("light_preset", "三色", _choice("三色", "四色"),
                "亮灯方案：三色（临期亮黄灯）或四色（临期亮蓝灯，进展反馈逾期亮红灯，黄灯表示落后序时进度或未签收）",
                "DOMAIN.md §5；宿迁、黔南四色预警；seeds/003:L597（对未按时反馈事项亮红灯警告）"),
        *(Setting(key, default, _points, f"计公分：{meaning}", source) for key, default, meaning, source in [
            ("score_base", 100, "每个单位每期的基础分", "seeds/003:L1061（计公分，季度算小账）"),
            ("score_on_time", 2, "按期办结一件加分", "seeds/003:L1061"),
            ("score_praise", 5, "通报表扬一次加分", "seeds/003:L1135（通报表彰）"),
            ("score_late_close", -2, "逾期办结一件扣分", "DOMAIN.md §7"),
            ("score_overdue_day", -0.5, "在办事项本期内每逾期一个工作日扣分", "DOMAIN.md §7"),
            ("score_feedback_late", -1, "期末进展反馈逾期的事项每件扣分", "DOMAIN.md §7；seeds/003:L597"),
            ("score_reminder", -1, "被催办一次扣分", "DOMAIN.md §7"),
            ("score_notice", -3, "被下达督办单一次扣分", "DOMAIN.md §7；seeds/003:L547"),
            ("score_listed", -5, "被挂牌督办一次扣分", "DOMAIN.md §7；seeds/002 红牌"),
            ("score_interview", -5, "被约谈一次扣分", "seeds/003:L1061（约谈情况台账）"),
            ("score_criticism", -5, "被通报批评一次扣分", "seeds/003:L1061（通报批评）"),
            ("score_accountability", -10, "被问责一次扣分", "DOMAIN.md §7"),
            ("score_rebound", -3, "回访不满意后重启（反弹）一次，扣办结单位的分",
             "seeds/003:L547（对反弹问题下达《公开曝光单》）、L573（“回头看”避免反弹）"),
        ]),
    ]
}

# name → (meaning, values); values None means "every rule back to its default".
PRESETS: dict[str, tuple[str, dict[str, str] | None]] = {
    "三色": ("红灯逾期、黄灯临期或反馈滞后、绿灯正常（默认）", {"light_preset": "三色"}),
    "四色": ("蓝灯临期、红灯逾期或反馈逾期、黄灯落后序时进度或未签收、绿灯正常（宿迁、黔南式）", {"light_preset": "四色"}),
    "11350": ("主要领导交办事项“11350”：首次反馈3个工作日内、办结5个工作日内（seeds/003:L455）",
              {"default_due_workdays": "5", "first_feedback_workdays": "3"}),
    "默认": ("全部规则恢复默认值（机构名称 office_name、文号代字 notice_ref_prefix 保留）", None),
}
KEEP_ON_RESET = ("office_name", "notice_ref_prefix")


def resolve(stored: Mapping[str, str], bad: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    """All settings as typed values: stored text where present, defaults elsewhere.

    A stored value that no longer parses (edited by hand, written by another tool) must not stop
    every command, ``rules set`` included: with ``bad`` given it is resolved to its default and
    reported there as (key, stored text, message); without, it raises naming the key.
    """
    values = {}
    for key, setting in SETTINGS.items():
        if key not in stored:
            values[key] = setting.default
            continue
        try:
            values[key] = setting.parse(stored[key])
        except InvalidInput as exc:
            if bad is None:
                raise InvalidInput(f"设置项 {key} 的保存值无效：{exc.message}（用 duban rules set {key} 值 修复）") from None
            bad.append((key, str(stored[key]), exc.message))
            values[key] = setting.default
    return values


def bad_value_warning(key: str, text: str, message: str) -> str:
    return (f"警告：设置项 {key} 的保存值“{text}”无效（{message}），本次按默认值 {to_text(SETTINGS[key].default)} 执行；"
            f"请用 duban rules set {key} 值 修复")


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
