#!/usr/bin/env bash
# 快速开始的“主任务”：生成示例台账，并以 2026-11-20（周五）为“今天”查看亮灯情况。
#
#   用法（在仓库根目录）：bash examples/run.sh
#   环境：DUBAN=duban 可执行文件（默认 .venv/bin/duban，没有时用 PATH 中的 duban）
set -euo pipefail

here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname -- "$here")"

source "$here/find-duban.sh"                      # DUBAN：.venv/bin/duban，没有时用 PATH 中的 duban

cd "$root"
db="examples/out/示例台账.db"

echo "== 生成示例台账（补录 2026-10-09 至 2026-11-20 的督办记录）=="
bash examples/build_example.sh "$db"

export DUBAN_TODAY=2026-11-20
echo
echo "== 在办事项亮灯情况（今天：2026-11-20 周五）=="
"$DUBAN" --db "$db" list
echo
echo "== 逾期事项（红灯）=="
"$DUBAN" --db "$db" list --light red

count() { "$DUBAN" --db "$db" list --light "$1" --format csv | awk 'NR > 1 && NF { n++ } END { print n + 0 }'; }
red=$(count red); yellow=$(count yellow); green=$(count green); grey=$(count none)
echo
echo "合计（在办事项）：红灯 $red 项，黄灯 $yellow 项，绿灯 $green 项，不亮灯 $grey 项"

echo
echo "== 每日自动运行（examples/cron/duban-daily.sh，2026-11-20 早晨）：催办 + 逾期清单 =="
rm -rf "examples/out/每日/$DUBAN_TODAY"
status=0
DUBAN_DB="$db" bash examples/cron/duban-daily.sh > /dev/null || status=$?
if [[ $status -ne 0 && $status -ne 3 ]]; then
  echo "每日任务失败（退出码 $status）" >&2
  exit "$status"
fi
daily="examples/out/每日/$DUBAN_TODAY"
cat "$daily/催办.txt"
echo
echo "逾期清单（$daily/逾期清单.md，退出码 $status 表示有逾期）："
"$DUBAN" --db "$db" overdue
echo
echo "各单位通知（Word 与纯文本）："
ls -1 "$daily/通知"

echo
echo "== 督查专报（2026-W47）与统计 =="
rm -rf examples/out/专报
"$DUBAN" --db "$db" report weekly --out examples/out/专报
echo
"$DUBAN" --db "$db" report stats --by unit
echo
echo "== 本季度计公分排名（牵头单位、配合单位分开排名；逾期一经发生即计入当期，回访不满意后重启计反弹，暂缓期间不计逾期）=="
"$DUBAN" --db "$db" report ranking
echo
echo "== 下周一（2026-11-23）重新生成已印发的第1期：沿用原期号、原统计截止日，日期和数字与原期相同 =="
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" report weekly --week 2026-W47 --out examples/out/专报 2>&1

echo
echo "== 导入督查室原有的 Excel 台账（examples/待导入台账.xlsx：标题行、合并单元格、一格多个单位、各种时限写法）=="
"$DUBAN" --db "$db" import examples/待导入台账.xlsx
echo
echo "再次导入同一文件（不会重复新增）："
"$DUBAN" --db "$db" import examples/待导入台账.xlsx | tail -n 3

echo
echo "== 反馈表：发给各单位，填好后收回（以市教育局、市卫健委为例）=="
forms="examples/out/反馈表/$DUBAN_TODAY"
rm -rf "examples/out/反馈表"
"$DUBAN" --db "$db" form --unit 市教育局 --unit 市卫健委 --out "$forms"
# 市教育局填表（这里用 openpyxl 代替单位的人在 Excel/WPS 中填写）
python="$(dirname -- "$DUBAN")/python"
[[ -x "$python" ]] || python=python3
"$python" - "$forms/市教育局-反馈表-$DUBAN_TODAY.xlsx" <<'PY'
import datetime as dt
import sys

from openpyxl import load_workbook

path = sys.argv[1]
wb = load_workbook(path)
ws = wb["反馈表"]
col = {c.value: c.column for c in ws[3]}
for row in range(4, ws.max_row + 1):
    title = ws.cell(row, col["事项"]).value or ""
    if title.startswith("市政协委员第0089号提案"):
        ws.cell(row, col["本期进展"]).value = "已完成全市校外培训机构摸底，整改清单已下发"
        ws.cell(row, col["完成百分比"]).value = 80
    elif title == "新增公办幼儿园学位2000个":
        ws.cell(row, col["申请延期至"]).value = dt.date(2027, 3, 31)
        ws.cell(row, col["延期理由"]).value = "两所新建园舍竣工验收推迟"
    ws.cell(row, col["填报人"]).value = "陈静"
    ws.cell(row, col["联系电话"]).value = "0771-5550104"
wb.save(path)
PY
echo
echo "收回（2026-11-23）："
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" collect "$forms/市教育局-反馈表-$DUBAN_TODAY.xlsx"
echo
echo "再收一次同一份表（不会重复记录）："
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" collect "$forms/市教育局-反馈表-$DUBAN_TODAY.xlsx" | sed -n 1p
echo
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" requests
kindergarten=$("$DUBAN" --db "$db" list --grep 新增公办幼儿园学位2000个 --format csv | sed -n 2p | cut -d, -f1)
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" extend "$kindergarten" --grant

echo
echo "== 分解（2026-11-23）：燃气安全批示分解给两个单位，各有时限；上级事项的亮灯取最差的一项 =="
frost=$("$DUBAN" --db "$db" list --grep 冬季燃气安全 --format csv | sed -n 2p | cut -d, -f1)
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" create "城东区燃气用户入户安全检查" --parent "$frost" \
  --lead 城东区住建局 --within 10 > /dev/null
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" create "老旧小区燃气管道更新改造" --parent "$frost" \
  --lead 市住建局 --due 12月底前 > /dev/null
DUBAN_TODAY=2026-11-23 "$DUBAN" --db "$db" list --tree --grep 燃气
