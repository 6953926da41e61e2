"""Charts as SVG (matplotlib, Agg): contacts per day by channel, and hour × weekday with quiet hours marked.

Text is drawn as paths, so the SVG needs no font where it is shown; Chinese labels use Noto Sans CJK
when it is installed (Debian fonts-noto-cjk) and fall back to English labels when it is not.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from faircollect.model import Contact

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei")
CHANNEL_COLOURS = {"call": "#c0392b", "sms": "#2e86c1", "im": "#27ae60", "app": "#8e44ad", "email": "#7f8c8d"}
WEEKDAYS = {
    "zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
LABELS = {
    "daily_title": {"zh": "催收方每日联系次数（按渠道）", "en": "Collector contacts per day, by channel"},
    "daily_y": {"zh": "次数", "en": "contacts"},
    "heat_title": {
        "zh": "联系时间分布（小时 × 星期；斜线为禁止联系时段）",
        "en": "When contacts came (hour × weekday; hatched = quiet hours)",
    },
    "hour": {"zh": "当地时间（小时）", "en": "local hour"},
    "call": {"zh": "电话", "en": "calls"},
    "sms": {"zh": "短信", "en": "SMS"},
    "im": {"zh": "即时通讯", "en": "chat"},
    "app": {"zh": "应用消息", "en": "app"},
    "email": {"zh": "邮件", "en": "e-mail"},
}


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def chart_lang(lang: str) -> str:
    return lang if lang != "zh" or cjk_family() else "en"


def _style(lang: str) -> None:
    family = cjk_family()
    plt.rcParams["font.sans-serif"] = [*([family] if family and lang == "zh" else []), "DejaVu Sans"]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["svg.hashsalt"] = "faircollect"  # deterministic ids


def _data_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def daily(contacts: Sequence[Contact], lang: str) -> str | None:
    """Stacked bars: outbound collector contacts per local day, one colour per channel."""
    out = [c for c in contacts if c.outbound]
    if not out:
        return None
    lang = chart_lang(lang)
    _style(lang)
    per = Counter((c.local().date(), c.channel) for c in out)
    first, last = min(d for d, _ in per), max(d for d, _ in per)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    fig, ax = plt.subplots(figsize=(9, 3.2))
    bottom = [0] * len(days)
    for channel in [ch for ch in CHANNEL_COLOURS if any(k[1] == ch for k in per)]:
        heights = [per.get((d, channel), 0) for d in days]
        ax.bar(
            _nums(days),
            heights,
            bottom=bottom,
            width=0.85,
            color=CHANNEL_COLOURS[channel],
            label=LABELS[channel][lang],
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 12)
    ax.set_xticks(_nums(days)[::step], [d.strftime("%m-%d") for d in days[::step]], fontsize=8)
    ax.set_ylabel(LABELS["daily_y"][lang])
    ax.set_title(LABELS["daily_title"][lang], fontsize=11)
    ax.legend(fontsize=8, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)


def _nums(days: Sequence[date]) -> list[int]:
    return [d.toordinal() for d in days]


def heatmap(contacts: Sequence[Contact], quiet: tuple[int, int] | None, lang: str) -> str | None:
    """Counts per (weekday, local hour); hours outside the allowed window [start, end) minutes are hatched."""
    out = [c for c in contacts if c.outbound]
    if not out:
        return None
    lang = chart_lang(lang)
    _style(lang)
    grid = [[0] * 24 for _ in range(7)]
    for c in out:
        local = c.local()
        grid[local.weekday()][local.hour] += 1
    fig, ax = plt.subplots(figsize=(9, 3.2))
    image = ax.imshow(grid, aspect="auto", cmap="Reds", interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
    if quiet is not None:
        for hour in quiet_hours(*quiet):
            ax.add_patch(
                Rectangle((hour - 0.5, -0.5), 1, 7, fill=False, hatch="///", edgecolor="#555555", lw=0)
            )
    ax.set_yticks(range(7), WEEKDAYS[lang], fontsize=8)
    ax.set_xticks(range(24), [str(h) for h in range(24)], fontsize=7)
    ax.set_xlabel(LABELS["hour"][lang])
    ax.set_title(LABELS["heat_title"][lang], fontsize=11)
    return _data_uri(fig)


def quiet_hours(start: int, end: int) -> list[int]:
    """Whole local hours that lie entirely outside the allowed window [start, end) (minutes of the day)."""

    def allowed(minute: int) -> bool:
        return start <= minute < end if start <= end else (minute >= start or minute < end)

    return [h for h in range(24) if not any(allowed(m) for m in range(h * 60, h * 60 + 60))]
