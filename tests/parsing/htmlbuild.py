"""Render a seed report as the HTML pages portals serve, from the seed's text and hand truth.

The tables follow the official template layout (merged cells, headers split over rows);
the styles add what real pages add: Word-export markup, nested layout tables, one table
for everything, page chrome with a stale date widget, GBK with or without (or with a wrong)
charset declaration. Values come from the truth file, never from the parser.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from .truth import DATA, Truth

S2_LAYOUT = {
    "2019": [
        ("s2.art20_1", "第二十条第（一）项", ["本年新<br>制作数量", "本年新<br>公开数量", "对外公开<br>总数量"],
         [("rules", "规章"), ("normative", "规范性文件")]),
        ("s2.art20_5", "第二十条第（五）项", ["上一年<br>项目数量", "本年增/减", "处理决定数量"],
         [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")]),
        ("s2.art20_6", "第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
         [("penalty", "行政处罚"), ("enforcement", "行政强制")]),
        ("s2.art20_8", "第二十条第（八）项", ["上一年项目数量", "本年增/减"], [("fees", "行政事业性收费")]),
        ("s2.art20_9", "第二十条第（九）项", ["采购项目数量", "采购总金额（单位：万元）"],
         [("procurement", "政府集中采购")]),
    ],
    "2021": [
        ("s2.art20_1", "第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
         [("rules", "规章"), ("normative", "行政规范性文件")]),
        ("s2.art20_5", "第二十条第（五）项", ["本年处理决定数量"], [("licensing", "行政许可")]),
        ("s2.art20_6", "第二十条第（六）项", ["本年处理决定数量"], [("penalty", "行政处罚"), ("enforcement", "行政强制")]),
        ("s2.art20_8", "第二十条第（八）项", ["本年收费金额（单位：万元）"], [("fees", "行政事业性收费")]),
    ],
}  # fmt: skip

S3_GROUPS_COMMON = [
    ("(三)不予公开", [
        ("denied.state_secret", "1.属于国家秘密"), ("denied.prohibited", "2.其他法律行政法规禁止公开"),
        ("denied.security", "3.危及“三安全一稳定”"), ("denied.third_party", "4.保护第三方合法权益"),
        ("denied.internal", "5.属于三类内部事务信息"), ("denied.process", "6.属于四类过程性信息"),
        ("denied.enforcement_file", "7.属于行政执法案卷"), ("denied.query", "8.属于行政查询事项")]),
    ("(四)无法提供", [
        ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
        ("unavailable.unclear", "3.补正后申请内容仍不明确")]),
    ("(五)不予处理", [
        ("rejected.complaint", "1.信访举报投诉类申请"), ("rejected.duplicate", "2.重复申请"),
        ("rejected.publication", "3.要求提供公开出版物"), ("rejected.excessive", "4.无正当理由大量反复申请"),
        ("rejected.confirmation", "5.要求行政机关确认或重新出具已获取信息")]),
]  # fmt: skip
OTHER_2021 = ("(六)其他处理", [
    ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他")])  # fmt: skip


class Page:
    """Builds one HTML page for a seed in a given style."""

    def __init__(self, truth: Truth, style: str = "official") -> None:
        self.t = truth
        self.style = style
        self.seed_lines = [
            ln.strip() for ln in (DATA / "seeds" / f"{truth.stem}.txt").read_text("utf-8").splitlines()
        ]

    # ------------------------------------------------------------ cells
    def td(self, text: str, rowspan: int = 1, colspan: int = 1) -> str:
        attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
            f' colspan="{colspan}"' if colspan > 1 else ""
        )
        if self.style == "word":
            body = text.replace("<br>", "<br>\n").replace("、", "、&nbsp;")
            inner = (
                f'<p class="MsoNormal" align="center" style="text-align:center"><span lang="EN-US" '
                f'style="font-size:10.5pt;font-family:宋体">{body}<o:p></o:p></span></p>'
            )
            return f'<td width="64" valign="center" style="border:solid windowtext 1.0pt"{attrs}>{inner}</td>'
        return f"<td{attrs}>{text}</td>"

    def value_cells(self, row: str) -> list[str]:
        if row in self.t.rows:
            return [self.td(self.fmt(v)) for v in self.t.rows[row]]
        if any(k.startswith(row + ".") for k in self.t.absent):  # printed run together in the seed
            label = {"s2.art20_1.normative": "规范性文件"}[row]
            digits = next(m.group(1) for ln in self.seed_lines if (m := re.fullmatch(label + r"(\d+)", ln)))
            return [self.td(digits, colspan=len(self.t.cells(row)))]
        raise KeyError(row)

    @staticmethod
    def fmt(v) -> str:
        s = str(v)
        if "." in s:
            whole, frac = s.split(".")
            return f"{int(whole):,}.{frac}"
        return f"{int(s):,}" if abs(int(s)) >= 1000 else s

    # ----------------------------------------------------------- tables
    def s2_rows(self) -> list[str]:
        out = []
        for code, caption, headers, rows in S2_LAYOUT[self.t.edition]:
            out.append("<tr>" + self.td(caption, colspan=4) + "</tr>")
            pad = [self.td("")] * (3 - len(headers))
            out.append(
                "<tr>" + self.td("信息内容") + "".join(self.td(h) for h in headers) + "".join(pad) + "</tr>"
            )
            for key, label in rows:
                cells = self.value_cells(f"{code}.{key}")
                pad = [self.td("")] * (3 - len(headers)) if len(cells) == len(headers) else []
                out.append("<tr>" + self.td(label) + "".join(cells) + "".join(pad) + "</tr>")
        return out

    def s3_rows(self) -> list[str]:
        td, t = self.td, self.t
        out = [
            "<tr>" + td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
            + td("申请人情况", colspan=7) + "</tr>",
            "<tr>" + td("自然人", 2) + td("法人或其他组织", colspan=5) + td("总计", 2) + "</tr>",
            "<tr>" + "".join(td(h) for h in ("商业<br>企业", "科研<br>机构", "社会公<br>益组织", "法律服<br>务机构", "其他"))
            + "</tr>",
        ]  # fmt: skip

        def row(key: str, *labels: str) -> str:
            return "<tr>" + "".join(labels) + "".join(self.value_cells(f"s3.{key}")) + "</tr>"

        out.append(row("new", td("一、本年新收政府信息公开申请数量", colspan=3)))
        out.append(row("carried_in", td("二、上年结转政府信息公开申请数量", colspan=3)))
        groups = list(S3_GROUPS_COMMON) + ([OTHER_2021] if t.edition == "2021" else [])
        n_outcomes = 2 + sum(len(g[1]) for g in groups) + (1 if t.edition == "2019" else 0) + 1
        out.append(
            row("granted", td("三、本年度办理结果", rowspan=n_outcomes), td("（一）予以公开", colspan=2))
        )
        out.append(row("partial", td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)))
        for group, members in groups:
            for i, (key, label) in enumerate(members):
                first = td(group, rowspan=len(members)) if i == 0 else ""
                out.append(row(key, first, td(label)))
        if t.edition == "2019":
            out.append(row("other", td("（六）其他处理", colspan=2)))
        out.append(row("total", td("（七）总计", colspan=2)))
        out.append(row("carried_out", td("四、结转下年度继续办理", colspan=3)))
        return out

    def s4_rows(self) -> list[str]:
        td = self.td
        sub = ["结果<br>维持", "结果<br>纠正", "其他<br>结果", "尚未<br>审结", "总计"]
        return [
            "<tr>" + td("行政复议", colspan=5) + td("行政诉讼", colspan=10) + "</tr>",
            "<tr>" + "".join(td(h, rowspan=2) for h in sub) + td("未经复议直接起诉", colspan=5)
            + td("复议后起诉", colspan=5) + "</tr>",
            "<tr>" + "".join(td(h) for h in sub * 2) + "</tr>",
            "<tr>" + "".join(c for r in ("review", "suit_direct", "suit_after_review") for c in self.value_cells(f"s4.{r}"))
            + "</tr>",
        ]  # fmt: skip

    def table(self, rows: list[str]) -> str:
        cls = ' class="MsoNormalTable" border="1" cellspacing="0"' if self.style == "word" else ' border="1"'
        return f"<table{cls}><tbody>" + "\n".join(rows) + "</tbody></table>"

    # ------------------------------------------------------------- page
    def prose(self, start: int, stop: int) -> str:
        return "\n".join(f"<p>{html.escape(ln)}</p>" for ln in self.seed_lines[start:stop] if ln)

    def body(self) -> str:
        lines = self.seed_lines
        s2 = next(i for i, ln in enumerate(lines) if "主动公开政府信息情况" in ln and len(ln) < 30)
        end = next(i for i, ln in enumerate(lines) if "存在的主要问题" in ln and len(ln) < 30)
        h3 = "三、收到和处理政府信息公开申请情况"
        h4 = "四、政府信息公开行政复议、行政诉讼情况"
        if self.style == "one_table":
            span = '<tr><td colspan="15">{}</td></tr>'
            rows = self.s2_rows() + [span.format(h3)] + self.s3_rows() + [span.format(h4)] + self.s4_rows()
            tables = f"<p>{lines[s2]}</p>" + self.table(rows)
        elif self.style == "per_subtable":
            parts = [f"<p>{lines[s2]}</p>"]
            s2_rows = self.s2_rows()
            i = 0
            while i < len(s2_rows):  # a new table at each caption row
                j = next((k for k in range(i + 1, len(s2_rows)) if "第二十条" in s2_rows[k]), len(s2_rows))
                parts.append(self.table(s2_rows[i:j]))
                i = j
            parts += [f"<p>{h3}</p>", self.table(self.s3_rows()), f"<p>{h4}</p>", self.table(self.s4_rows())]
            tables = "\n".join(parts)
        else:
            tables = (
                f"<p>{lines[s2]}</p>"
                + self.table(self.s2_rows())
                + f"<p><strong>{h3}</strong></p>"
                + self.table(self.s3_rows())
                + f"<h3>{h4}</h3>"
                + self.table(self.s4_rows())
            )
        return self.prose(0, s2) + "\n" + tables + "\n" + self.prose(end, len(lines))

    def page(self, charset: str | None = "utf-8") -> str:
        t = self.t
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
        info = f"发布时间：{t.published} 10:45:02&nbsp;&nbsp;来源：{t.agency}" if t.published else ""
        chrome_top = (
            '<div class="top"><span class="date">2023年11月5日 星期天</span> 欢迎访问本站 '
            '<img src="/images/logo.png"></div>'
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
            "<li><a>政府信息公开年报</a></li><li>2019年度报告汇总</li></ul>"
            '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
        )
        article = (
            f'<div class="article"><h1 class="title">{t.title}</h1><div class="info">{info} 阅读次数：4025</div>'
            f'<div class="content">{self.body()}</div></div>'
        )
        side = '<div class="side"><h4>相关链接</h4><ul><li>2019年度报告</li><li>规章 12</li></ul></div>'
        foot = '<div class="foot">主办：县人民政府办公室 网站标识码 4113000001 ICP备 05012345号</div>'
        if self.style in ("nested", "word"):
            content = (
                '<table width="100%" class="layout"><tr><td valign="top" width="200">'
                + side
                + '</td><td valign="top"><table width="100%"><tr><td>'
                + article
                + "</td></tr></table></td></tr></table>"
            )
        else:
            content = article + side
        if self.style == "word":
            content = f'<div class="WordSection1" style="layout-grid:15.6pt">{content}</div>'
        return (
            f"<!DOCTYPE html><html><head>{meta}<title>{t.title}_县人民政府</title>"
            f"<style>.x{{}}</style><script>var a='规章 0 0 0';</script></head>"
            f"<body>{chrome_top}{content}{foot}</body></html>"
        )


def render(truth: Truth, style: str, charset: str | None = "utf-8") -> str:
    return Page(truth, style).page(charset)


def write_examples(out_dir: Path, truth: Truth) -> None:  # pragma: no cover - debugging aid
    for style in ("official", "word", "nested", "one_table", "per_subtable"):
        (out_dir / f"{truth.stem}.{style}.html").write_text(render(truth, style), "utf-8")
