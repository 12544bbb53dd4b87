#!/usr/bin/env bash
# 生成一份示例台账：某市人民政府督查室 2026-10-09 至 2026-11-20 约六周的督办记录。
#
# 只用 duban 命令，逐日“补录”（DUBAN_TODAY），结果确定：每次生成的事项、单位、记录和
# 设置都相同（只有记录旁的实际写入时间 logged_at 不同）。
#
#   用法：bash examples/build_example.sh [台账路径]        （默认 examples/out/示例台账.db）
#   环境：DUBAN=duban 可执行文件（默认 .venv/bin/duban，没有时用 PATH 中的 duban）
#
# 2026-11-20（周五）打开台账可见：4 项红灯（逾期）、3 项黄灯（3 个工作日内到期）、
# 5 项绿灯、3 项不亮灯（暂缓、办结待审核、待交办）；另有 3 项已销号、1 项已撤销。
set -euo pipefail

source "$(dirname -- "${BASH_SOURCE[0]}")/find-duban.sh"   # DUBAN：.venv/bin/duban，没有时用 PATH 中的 duban
DB="${1:-examples/out/示例台账.db}"

mkdir -p "$(dirname -- "$DB")"
rm -f -- "$DB" "$DB-wal" "$DB-shm"

on() { export DUBAN_TODAY="$1"; }                 # 以该日期为“今天”补录
d() { "$DUBAN" --db "$DB" "$@" >/dev/null; }      # 执行一条命令，不显示确认信息
new() { "$DUBAN" --db "$DB" create "$@"; }        # 立项，输出新事项编号

# ─── 10月9日（周五）建账：设置、责任单位、第一批事项 ─────────────────────────────
on 2026-10-09
d init
d rules set office_name "市人民政府督查室"
d rules set review_required true                  # 办结须经督查室审核（四查）后销号

d unit add 市住房和城乡建设局 --alias 市住建局 --alias 住建局 --contact 李明 --phone 0771-5550101
d unit add 市交通运输局 --alias 市交通局 --alias 交通局 --contact 张华 --phone 0771-5550102
d unit add 市生态环境局 --alias 生态环境局 --contact 王芳 --phone 0771-5550103
d unit add 市教育局 --alias 教育局 --contact 陈静 --phone 0771-5550104
d unit add 市卫生健康委员会 --alias 市卫健委 --alias 卫健委 --contact 刘洋 --phone 0771-5550105
d unit add 市财政局 --alias 财政局 --contact 赵磊 --phone 0771-5550106
d unit add 市自然资源和规划局 --alias 市自然资源局 --alias 市资规局 --contact 孙丽 --phone 0771-5550107
d unit add 城东区人民政府 --alias 城东区政府 --contact 周强 --phone 0771-5550108
d unit add 城东区住房和城乡建设局 --alias 城东区住建局 --parent 城东区人民政府 --contact 吴磊 --phone 0771-5550109

ELEVATOR=$(new "关于加快推进既有住宅加装电梯工作的批示" --source 领导批示 --ref "市委批示〔2026〕35号" \
  --leader 刘市长 --class 重点 \
  --content "群众反映老旧小区加装电梯审批环节多、推进慢。请市住建局牵头，会同城东区政府摸清底数、简化审批，抓紧推进。" \
  --standard "完成年度加装电梯120台，出台简化审批实施细则" \
  --lead 市住建局 --co 城东区政府 --within 20 --person "张伟（副局长）")
PARKING=$(new "研究制定城区停车设施建设三年行动方案" --source 会议议定 --ref "市政府常务会议纪要〔2026〕18号" \
  --leader 陈副市长 --class 方案 \
  --standard "形成行动方案送审稿，提请市政府常务会议审议" \
  --lead 市资规局 --co 市住建局 --co 市交通运输局 --due 2026-11-13)
KINDERGARTEN=$(new "2026年政府工作报告重点任务：新建、改扩建公办幼儿园10所，新增公办学位3000个" \
  --source 政府工作报告 --ref "2026年《政府工作报告》重点任务第12项" --leader 周副市长 --class 重点 \
  --standard "10所幼儿园竣工并投入使用，新增公办学位不少于3000个" \
  --milestone "2026-11-13:9所幼儿园完成竣工验收" --milestone "2026-12-18:第10所幼儿园完工并完成招生准备" \
  --lead 市教育局 --co 市财政局 --co 市资规局 --due 2026-12-31)
BLACKWATER=$(new "建立城区黑臭水体整治长效管护机制" --source 会议议定 --ref "市政府常务会议纪要〔2026〕18号" \
  --leader 陈副市长 \
  --lead 市生态环境局 --co 城东区政府 --due 2026-10-30)
ROADS=$(new "2026年政府工作报告重点任务：完成城区主干道“白改黑”提升改造12公里" \
  --source 政府工作报告 --ref "2026年《政府工作报告》重点任务第27项" --leader 陈副市长 --class 重点 \
  --lead 市交通运输局 --co 市住建局 --due 2026-12-18)

# 10月10日（周六，国庆调休上班）
on 2026-10-10
d sign "$KINDERGARTEN" --unit 市教育局
d sign "$KINDERGARTEN" --unit 市财政局
d sign "$BLACKWATER" --unit 市生态环境局
d sign "$BLACKWATER" --unit 城东区政府

on 2026-10-12
d sign "$ELEVATOR" --unit 市住建局
d sign "$ELEVATOR" --unit 城东区政府
d sign "$PARKING" --unit 市资规局
d sign "$PARKING" --unit 市住建局
d sign "$PARKING" --unit 市交通运输局
d sign "$KINDERGARTEN" --unit 市资规局
d sign "$ROADS" --unit 市交通运输局
d sign "$ROADS" --unit 市住建局

on 2026-10-13
HEALTH=$(new "市人大代表第0156号建议：关于推进紧密型县域医共体建设的建议" --source 建议提案 \
  --ref "市十七届人大五次会议第0156号建议" --leader 周副市长 \
  --lead 市卫健委 --co 市财政局 --due 2026-12-25)

on 2026-10-14
BIKES=$(new "开展城区共享单车停放秩序专项整治" --source 文件部署 --ref "市政府办公室通知〔2026〕41号" \
  --leader 陈副市长 --lead 市交通运输局 --within 15)
d sign "$HEALTH" --unit 市卫健委
d sign "$HEALTH" --unit 市财政局

on 2026-10-15
MUCK=$(new "12345热线工单（2610150032）：幸福路夜间渣土车噪声扰民" --source 群众诉求 \
  --ref "12345工单2610150032" --class 速办 \
  --content "市民反映幸福路段每晚22时后渣土车频繁通行、鸣笛，噪声扰民。" \
  --lead 市生态环境局 --co 市交通运输局 --within 5)
d sign "$BIKES" --unit 市交通运输局

on 2026-10-16
CIVIC=$(new "市民中心二期建设项目前期工作" --source 会议议定 --ref "市政府专题会议纪要〔2026〕27号" \
  --leader 刘市长 --class 重点 --lead 市资规局 --co 市财政局 --due 2026-11-27)
d sign "$MUCK" --unit 市生态环境局
d sign "$MUCK" --unit 市交通运输局

on 2026-10-19
VOC=$(new "中央生态环境保护督察反馈问题整改：城东工业园区挥发性有机物治理" --source 督查发现问题 \
  --ref "市督察整改办〔2026〕9号" --leader 陈副市长 --class 重点 \
  --standard "园区重点企业完成VOCs深度治理并通过第三方监测" \
  --lead 市生态环境局 --co 城东区政府 --due 2026-11-17)
d sign "$CIVIC" --unit 市资规局
d sign "$CIVIC" --unit 市财政局
d feedback "$MUCK" --unit 市生态环境局 "已联合交警夜查两次，查处违规运输车辆6台次" --percent 60

on 2026-10-20
TUTORING=$(new "市政协委员第0089号提案：关于加强校外培训机构规范管理的提案" --source 建议提案 \
  --ref "市政协十届五次会议第0089号提案" --leader 周副市长 --class 方案 \
  --lead 市教育局 --due 2026-11-24)
d sign "$VOC" --unit 市生态环境局
d sign "$VOC" --unit 城东区政府
d feedback "$KINDERGARTEN" --unit 市教育局 "8所主体完工，2所进入装修阶段" --percent 70

on 2026-10-21
d sign "$TUTORING" --unit 市教育局
d close "$MUCK" --result "约谈3家运输企业，限定夜间作业时段、禁止鸣笛，路段增设抓拍设备；已电话回复诉求人"

on 2026-10-22
RAINWATER=$(new "市人大代表第0203号建议：关于加快推进城区雨污分流改造的建议" --source 建议提案 \
  --ref "市十七届人大五次会议第0203号建议" --leader 陈副市长 \
  --lead 市住建局 --co 市生态环境局 --due 2026-12-15)
d review "$MUCK" --approve

on 2026-10-23
d sign "$RAINWATER" --unit 市住建局
d sign "$RAINWATER" --unit 市生态环境局
d feedback "$ELEVATOR" --unit 市住建局 "已完成全市底数排查，确定首批加装点位86个" --percent 40
d feedback "$BLACKWATER" --unit 市生态环境局 "7条黑臭水体已完成清淤截污，长效管护办法正在征求意见" --percent 90

on 2026-10-27
SCHOOLS=$(new "督查发现：部分中小学校周边交通安全设施缺失、上下学时段拥堵" --source 督查发现问题 \
  --ref "督查通报〔2026〕7号" --leader 周副市长 --class 速办 \
  --lead 市交通运输局 --co 市教育局 --co 城东区政府 --within 10)

on 2026-10-28
d cancel "$BIKES" --reason "已纳入全国文明城市创建专项行动统一督办，不再单独立项"
d sign "$SCHOOLS" --unit 市交通运输局
d sign "$SCHOOLS" --unit 市教育局

on 2026-10-30
d feedback "$PARKING" --unit 市资规局 "已完成停车设施现状调查和需求预测，方案初稿形成" --percent 60
d feedback "$ROADS" --unit 市交通运输局 "已完成6.5公里，其余路段正在施工" --percent 55

on 2026-11-02
FLU=$(new "关于做好今冬明春流感等呼吸道传染病防控工作的批示" --source 领导批示 \
  --ref "市政府批示〔2026〕112号" --leader 周副市长 --class 速办 \
  --lead 市卫健委 --co 市教育局 --within 5)
d feedback "$HEALTH" --unit 市卫健委 "已制定医共体建设实施方案，3个县完成牵头医院确定" --percent 50
d feedback "$VOC" --unit 市生态环境局 "园区12家重点企业中10家完成治理设施改造" --percent 80

on 2026-11-03
d sign "$FLU" --unit 市卫健委
d sign "$FLU" --unit 市教育局
d sign "$SCHOOLS" --unit 城东区政府
d pause "$CIVIC" --reason "项目选址拟调整，待市政府常务会议研究后再行推进"

on 2026-11-04
FIRE=$(new "关于开展全市医疗机构消防安全专项检查的批示" --source 领导批示 \
  --ref "市政府批示〔2026〕118号" --leader 周副市长 --class 速办 \
  --lead 市卫健委 --within 12)
d close "$BLACKWATER" --result "7条黑臭水体完成整治并通过验收，《城区水体长效管护办法》已印发"

on 2026-11-05
TRASH=$(new "12345热线工单（2611050117）：城东区和平小区生活垃圾清运不及时" --source 群众诉求 \
  --ref "12345工单2611050117" --class 速办 --lead 城东区政府 --within 5)
d review "$BLACKWATER" --approve
d sign "$FIRE" --unit 市卫健委
d feedback "$VOC" --unit 城东区政府 "园区企业排查已完成，2家企业治理设施正在安装" --percent 60
d revisit "$MUCK" --satisfaction 不满意 --note "回访诉求人：近一周夜间渣土车噪声再次出现"

on 2026-11-06
d reopen "$MUCK" --unit 市生态环境局 --reason "回头看发现问题反弹，夜间违规运输再次出现" --within 10
d sign "$TRASH" --unit 城东区政府
d feedback "$FLU" --unit 市卫健委 "已印发防控工作方案，启动学校、养老机构重点场所监测" --percent 80
d feedback "$SCHOOLS" --unit 市教育局 "已梳理42所学校周边交通设施缺口清单，报市交通运输局" --percent 30

on 2026-11-09
d close "$FLU" --result "防控方案已印发，哨点医院监测、疫苗接种和重点场所防控措施全部落实"

on 2026-11-10
d review "$FLU" --approve
d escalate "$ELEVATOR" --kind 督办单 --unit 市住建局 --note "超过办理时限3个工作日仍未办结，且未申请延期"
d feedback "$KINDERGARTEN" --unit 市教育局 "9所已完成竣工验收，剩余1所12月中旬完工" --percent 85
d milestone done "$KINDERGARTEN" 1
d feedback "$TUTORING" --unit 市教育局 "专项检查方案已印发，完成培训机构摸排建档" --percent 70

on 2026-11-11
FROST=$(new "关于统筹做好冬季燃气安全隐患排查整治的批示" --source 领导批示 \
  --ref "市委批示〔2026〕14号" --leader 刘市长 --class 方案 \
  --lead 市住建局 --co 城东区住建局 --within 10)
d extend "$PARKING" --to 2026-12-18 --reason "方案须与国土空间总体规划衔接，待省自然资源厅审查意见"
d feedback "$FIRE" --unit 市卫健委 "已检查二级以上医院18家，发现隐患43处" --percent 60
d close "$TRASH" --result "已增加清运频次至每日两次，落实专人保洁；已电话回复诉求人"

on 2026-11-12
MARKET=$(new "12345热线工单（2611120341）：建设路农贸市场周边占道经营、交通拥堵" --source 群众诉求 \
  --ref "12345工单2611120341" --class 速办 --lead 城东区政府 --co 市交通运输局 --within 5)
d review "$TRASH" --approve
d edit "$FROST" --ref "市委批示〔2026〕41号"     # 更正：立项时文号错录为 14 号（记一条“修改”记录，原值留痕）
d sign "$FROST" --unit 市住建局
d sign "$FROST" --unit 城东区住建局

on 2026-11-13
DUP=$(new "12345热线工单（2611130052）：建设路农贸市场门口摊贩占道" --source 群众诉求 \
  --ref "12345工单2611130052" --class 速办 --lead 城东区政府 --within 5)
d merge "$MARKET" "$DUP" --reason "与2611120341号工单反映同一问题，重复转办"   # 合并：同一事由只督办一次
d close "$VOC" --unit 市生态环境局 --result "12家重点企业全部完成治理设施改造，第三方监测达标"
d sign "$MARKET" --unit 城东区政府
d sign "$MARKET" --unit 市交通运输局
d feedback "$MUCK" --unit 市生态环境局 "已恢复夜间联合执法，对2家违规企业立案查处" --percent 70
d feedback "$RAINWATER" --unit 市住建局 "已完成雨污分流改造片区摸排，3个片区开工" --percent 40

on 2026-11-16
d review "$VOC" --approve
d feedback "$ELEVATOR" --unit 市住建局 "已出台简化审批细则，累计开工加装电梯78台" --percent 65
d feedback "$ROADS" --unit 市交通运输局 "已完成9公里，剩余路段12月中旬完工" --percent 75
d close "$FIRE" --result "完成全市医疗机构消防安全检查，发现隐患已整改"

on 2026-11-17
d review "$FIRE" --return "未附检查台账和隐患整改清单，请补充后重新报送"
d feedback "$MARKET" --unit 城东区政府 "已组织城管、市场监管联合整治，正在设置临时便民疏导点" --percent 70

on 2026-11-18
d feedback "$FROST" --unit 市住建局 "已排查燃气用户2.3万户，发现隐患326处，已整改218处" --percent 50
d feedback "$PARKING" --unit 市资规局 "方案已报省自然资源厅审查" --percent 75

on 2026-11-19
HEATING=$(new "网民留言：城西片区部分小区供暖管网老化、室温不达标" --source 群众诉求 \
  --ref "互联网+督查平台转办件HLW2026111901" --class 速办 --within 5)
d close "$FIRE" --result "完成全市医疗机构消防安全检查，发现隐患143处已全部整改，附检查台账和整改清单"
d revisit "$TRASH" --satisfaction 满意 --note "电话回访诉求人，垃圾清运已恢复正常"

on 2026-11-20
d feedback "$ROADS" --unit 市交通运输局 "已完成15所学校周边标志标线施划，其余正在施工" --percent 40   # 记错了事项
d undo     # 撤回：这条反馈留痕并标“已撤回”，主干道事项回到记错之前
d feedback "$SCHOOLS" --unit 市交通运输局 "已完成15所学校周边标志标线施划，其余正在施工" --percent 40

echo "已生成示例台账：$DB（20 项督办事项，其中 1 项已合并；9 个责任单位，记录截至 2026-11-20）"
