#!/usr/bin/env bash
# 督办台账每日自动运行：催办、逾期清单。由 cron 每天早晨调用（节假日 remind 自动不催办，调休上班日照常）。
#
#   环境变量：
#     DUBAN_DB     台账文件（必填）
#     DUBAN        duban 可执行文件（默认 PATH 中的 duban）
#     DUBAN_OUT    输出根目录（默认 台账所在目录/每日），每天一个子目录
#     DUBAN_TODAY  “今天”（默认系统日期；补跑某一天时指定）
#   退出码：0 无逾期；3 有逾期事项（cron 可据此发邮件报警）；其他为出错。
#
#   输出（以 2026-11-20 为例）：
#     每日/2026-11-20/催办.txt          今天记录的催办（等级、原因、反馈期限）
#     每日/2026-11-20/通知/*.docx|.txt  每个单位一份提醒函/催办通知/督办单/挂牌督办通知
#     每日/2026-11-20/逾期清单.md|.csv  按单位分组的逾期清单
set -uo pipefail

: "${DUBAN_DB:?请设置 DUBAN_DB 为台账文件路径}"
DUBAN="${DUBAN:-duban}"
export DUBAN_DB
day="${DUBAN_TODAY:-$(date +%F)}"
export DUBAN_TODAY="$day"
out="${DUBAN_OUT:-$(dirname -- "$DUBAN_DB")/每日}/$day"
mkdir -p -- "$out"

# 1. 催办：同一天重复运行不会重复记录；通知在记录提交后写入 通知/ 目录。
#    再按当天的催办记录重新生成一遍通知（文号、内容不变，覆盖同名文件）：上次运行若在记录之后、
#    写完通知之前中断，这里补齐。
"$DUBAN" remind --out "$out/通知" > "$out/催办.txt" || { echo "duban remind 失败" >&2; exit 1; }
"$DUBAN" remind --reprint "$day" --out "$out/通知" > /dev/null || { echo "duban remind --reprint 失败" >&2; exit 1; }

# 2. 逾期清单：Markdown 给人看，CSV 给表格；--exit-code 有逾期时返回 3
"$DUBAN" overdue --out "$out/逾期清单.md" > /dev/null || { echo "duban overdue 失败" >&2; exit 1; }
"$DUBAN" overdue --out "$out/逾期清单.csv" --exit-code > /dev/null
status=$?
if [[ $status -ne 0 && $status -ne 3 ]]; then
  echo "duban overdue 失败（退出码 $status）" >&2
  exit 1
fi

tail -n 1 "$out/催办.txt"
echo "逾期清单：$out/逾期清单.md"
exit "$status"
