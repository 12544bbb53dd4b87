"""生成一份“真实世界”的待导入 Excel 台账：examples/待导入台账.xlsx（DOMAIN.md §8）。

    .venv/bin/python examples/make_messy_sheet.py [输出路径]

表格故意“不整齐”，和督查室手里的台账一样：

* 工作表“填表说明”在最前面（导入时自动跳过）；
* 合并单元格的大标题“2026年重点工作督查台账”（年份由此得出）和一行填报单位、更新时间；
* 表头用的是别名：工作任务、立项依据、分管领导、责任单位、协办单位、时间节点、办理情况、交办时间；
* 分类标题行“一、城市建设”（横向合并）、空行、小计行、合计行、表尾“填表人”行；
* 分管领导一栏纵向合并（同一位领导管三项）；
* 一个单元格里写几个单位（、 ， ; / 换行），责任单位写了几个时第一个为牵头单位；
* 时限有 Excel 日期、2026年6月30日、2026.6.30、2026/6/30、6月30日前、6月底、年底前、三季度末、
  长期、持续推进；交办时间有的有、有的空（空的按导入日期计，并在导入记录中注明实际交办日期未知）；
* 第二张台账工作表“民生实事”，没有交办时间列。

单位名称（全称或简称）与 examples/build_example.sh 建立的单位一致，因此可直接导入示例台账：

    bash examples/build_example.sh                       # 生成 examples/out/示例台账.db
    duban --db examples/out/示例台账.db --today 2026-11-20 import examples/待导入台账.xlsx --dry-run
    duban --db examples/out/示例台账.db --today 2026-11-20 import examples/待导入台账.xlsx

导入空白台账时，先添加这些单位（与 build_example.sh 相同）：

    duban unit add 市住房和城乡建设局 --alias 市住建局 --alias 住建局
    duban unit add 市交通运输局 --alias 市交通局 --alias 交通局
    duban unit add 市生态环境局 --alias 生态环境局
    duban unit add 市教育局 --alias 教育局
    duban unit add 市卫生健康委员会 --alias 市卫健委 --alias 卫健委
    duban unit add 市财政局 --alias 财政局
    duban unit add 市自然资源和规划局 --alias 市自然资源局 --alias 市资规局
    duban unit add 城东区人民政府 --alias 城东区政府
    duban unit add 城东区住房和城乡建设局 --alias 城东区住建局 --parent 城东区人民政府
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HEADER = ["序号", "工作任务", "立项依据", "文号", "分管领导", "责任单位", "协办单位", "时间节点", "办理情况", "交办时间",
          "备注"]
WIDTHS = [6, 34, 16, 20, 10, 22, 24, 14, 30, 14, 14]

# 重点工作：(序号, 工作任务, 立项依据, 文号, 分管领导, 责任单位, 协办单位, 时间节点, 办理情况, 交办时间, 备注)
KEY_WORK = [
    "一、城市建设（5项）",
    (1, "推进城区主干道综合整治", "市委书记批示", "市委批示〔2026〕12号", "张副市长", "市交通运输局", "财政局、住建局",
     dt.datetime(2026, 6, 30), "已完成方案编制，人民路段已开工", dt.datetime(2026, 3, 2), None),
    (2, "实施老旧小区改造三年行动", "2026年政府工作报告", None, None, "住建局；城东区政府", None,
     "2026年12月31日", "今年改造的28个小区已开工25个", None, "重点跟踪"),
    (3, "加快地下管网排查改造", "市政府常务会议议定", "常务会纪要〔2026〕7号", None, "市住房和城乡建设局",
     "市财政局\n市自然资源局", "三季度末", "排查完成80%", "2026年4月10日", None),
    (4, "完成城东片区控制性详细规划修编", "文件部署", "城政办〔2026〕21号", "李副市长", "市资规局", "城东区政府",
     "2026.6.30", "规划草案已公示", None, None),
    (5, "城东区既有住宅加装电梯", "人大代表建议", "建议第88号", None, "城东区住建局", "城东区政府/市住建局",
     "年底前", None, "2026/5/6", "挂点联系：周强"),
    ["小计", None, None, None, None, None, None, None, None, None, "5项"],
    None,
    "二、生态环境和民生保障（5项）",
    (6, "邕江沿岸排污口整治", "督查发现问题", None, "王副市长", "生态环境局", "市住建局、市交通局",
     "2026/10/30", "已整治排污口41个，剩余9个", "2026.7.1", None),
    (7, "中小学课后服务全覆盖", "12345热线", None, None, "教育局", "财政局", "9月30日前", "已覆盖全部公办学校", None,
     None),
    (8, "基层医疗卫生机构能力提升", "会议议定", None, None, "卫健委", "市财政局；市教育局", "6月底", None,
     None, None),
    (9, "河湖长制常态化巡河", "文件部署", None, "王副市长", "市生态环境局", None, "长期", "每月巡河并通报", None,
     None),
    (10, "财政资金绩效评价", "市政府常务会议议定", None, "王副市长", "财政局", None, "持续推进", None, None, None),
    ["小计", None, None, None, None, None, None, None, None, None, "5项"],
    ["合计", None, None, None, None, None, None, None, None, None, "10项"],
    "填表人：王芳　　审核人：李明",
]
LIVELIHOOD_HEADER = ["序号", "事项名称", "来源", "牵头单位", "配合单位", "完成时限", "进展情况"]
LIVELIHOOD = [
    (1, "新增公办幼儿园学位2000个", "政府工作报告", "教育局", "住建局，财政局", "年底前", "已新增1450个"),
    (2, "社区卫生服务站标准化建设", "人大代表建议", "市卫健委", None, "2026年11月30日", "完成18个，余4个"),
    (3, "公交站台无障碍改造", "网民留言", "交通局", "城东区政府", "12月31日前", None),
]


def build(path: Path) -> Path:
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    for line in ("填表说明", "1. 每个督办事项填一行；责任单位有多个时，第一个为牵头单位，其余为协办单位。",
                 "2. 时间节点可填具体日期、月底、季度末、年底前；长期工作填“长期”或“持续推进”。",
                 "3. 办理情况每月25日前更新。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 80

    ws = wb.create_sheet("重点工作")
    ws.append(["2026年重点工作督查台账"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：市人民政府督查室"] + [None] * 7 + ["更新时间：2026年11月20日"])
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    leader_rows = []
    for entry in KEY_WORK:
        if entry is None:
            ws.append([])
        elif isinstance(entry, str):
            ws.append([entry])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(HEADER))
        else:
            ws.append(list(entry))
            if entry[0] in (1, 2, 3):
                leader_rows.append(ws.max_row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy年m月d日"
    # 张副市长 manages items 1-3: the 分管领导 cell is merged down over their rows
    ws.merge_cells(start_row=leader_rows[0], start_column=5, end_row=leader_rows[-1], end_column=5)
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")

    sheet = wb.create_sheet("民生实事")
    sheet.append(["2026年民生实事督办清单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LIVELIHOOD_HEADER))
    sheet.append(LIVELIHOOD_HEADER)
    for entry in LIVELIHOOD:
        sheet.append(list(entry))
    wb.properties.creator = "市人民政府督查室"
    fixed = dt.datetime(2026, 11, 20, 9, 0)
    wb.properties.created = wb.properties.modified = fixed
    wb.save(path)
    return path


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "待导入台账.xlsx"
    print(f"已生成 {build(target)}")


if __name__ == "__main__":
    main()
