"""The demo taxonomy: about thirty categories a prefecture-level city's 12345 hotline sorts by, each
with the demo department (gateway/demo.py) it usually goes to."""

from __future__ import annotations

from services.hotline.categories import Attribute, Category, Datatype
from services.hotline.rules import TicketType

_C, _H, _R, _S = TicketType.COMPLAINT, TicketType.HELP, TicketType.REPORT, TicketType.SUGGESTION

_WHEN = Attribute("time_of_day", "问题主要发生在什么时段？", Datatype.SINGLE, required=True, order=1,
                  values=(("day", "白天"), ("evening", "傍晚"), ("night", "夜间（22时至次日6时）")))
_SINCE = Attribute("since", "问题从什么时候开始？", Datatype.DATETIME, order=2,
                   datatype_description="ISO-8601，例如 2026-11-20T22:00:00+08:00")
_LAMP_ID = Attribute("pole_number", "灯杆编号（灯杆上喷涂的号码，可不填）", Datatype.STRING, order=1)
_LAMP_STATE = Attribute("lamp_state", "路灯状况", Datatype.SINGLE, required=True, order=2,
                        values=(("off", "不亮"), ("flicker", "闪烁"), ("daytime", "白天常亮"),
                                ("damaged", "灯杆或灯具损坏")))
_HOUSEHOLDS = Attribute("households", "大约影响多少户？", Datatype.NUMBER, order=2)
_WATER = Attribute("water_problem", "供水问题", Datatype.MULTI, required=True, order=1,
                   values=(("no_water", "停水"), ("low_pressure", "水压低"), ("dirty", "水质浑浊或有异味"),
                           ("leak", "管道漏水")))
_ROOM_TEMP = Attribute("room_temperature", "室内温度（摄氏度）", Datatype.NUMBER, required=True, order=1,
                       datatype_description="室温低于18℃属于供暖不达标")
_STALL = Attribute("stall_kind", "经营类型", Datatype.SINGLE, order=1,
                   values=(("food", "流动摊贩（餐饮）"), ("goods", "流动摊贩（商品）"), ("shop", "店外经营")))
_BINS = Attribute("overflowing", "垃圾是否已溢出到地面？", Datatype.SINGLE, required=True, order=1,
                  values=(("yes", "是"), ("no", "否")))

# code, name, group, keywords, department, type, utility, attributes, description
_ROWS: tuple[tuple[str, str, str, str, str, TicketType, bool, tuple[Attribute, ...], str], ...] = (
    ("noise-construction", "建筑施工噪音", "噪音", "噪音 施工 夜间施工 打桩", "zjj", _C, False, (_WHEN, _SINCE),
     "工地施工噪音，尤其是夜间（22时至次日6时）施工"),
    ("noise-commercial", "商业经营噪音", "噪音", "噪音 商铺 喇叭 广场舞", "cgj", _C, False, (_WHEN,),
     "商铺促销喇叭、娱乐场所等经营性噪音"),
    ("noise-traffic", "交通噪音", "噪音", "噪音 鸣笛 改装车 炸街", "gaj", _C, False, (_WHEN,),
     "机动车鸣笛、改装车“炸街”等交通噪音"),
    ("streetlight", "路灯故障", "市政设施", "路灯 不亮 闪烁 照明", "cgj", _H, False, (_LAMP_ID, _LAMP_STATE),
     "道路照明路灯不亮、闪烁或损坏"),
    ("road-damage", "道路破损", "市政设施", "道路 坑洼 塌陷 破损", "zjj", _H, False, (),
     "路面坑洼、塌陷、人行道砖松动"),
    ("manhole", "井盖缺失或破损", "市政设施", "井盖 缺失 破损 下水井", "cgj", _H, False, (),
     "窨井盖缺失、破损、松动，存在安全隐患"),
    ("water-supply", "供水问题", "水电气热", "供水 停水 水压 水质 漏水", "swjt", _H, True, (_WATER, _HOUSEHOLDS),
     "停水、水压低、水质异常、供水管道漏水"),
    ("drainage", "排水不畅", "水电气热", "排水 下水道 堵塞 积水 内涝", "swjt", _H, True, (),
     "下水道堵塞、路面积水"),
    ("heating", "供暖不热", "水电气热", "供暖 暖气 不热 温度", "rlgs", _H, True, (_ROOM_TEMP,),
     "供暖期内室温不达标、暖气不热、管道漏水"),
    ("gas", "燃气问题", "水电气热", "燃气 天然气 停气 漏气", "rqjt", _H, True, (),
     "停气、燃气表故障（闻到漏气请立即拨打燃气抢修电话）"),
    ("power", "停电及供电故障", "水电气热", "停电 供电 电压 线路", "gdgs", _H, True, (_HOUSEHOLDS,),
     "停电、电压不稳、供电线路隐患"),
    ("street-vending", "占道经营", "市容环境", "占道经营 摊贩 出店经营", "cgj", _C, False, (_STALL,),
     "流动摊贩、店外占道经营"),
    ("garbage", "垃圾清运不及时", "市容环境", "垃圾 清运 垃圾桶 满溢", "cgj", _C, False, (_BINS,),
     "生活垃圾清运不及时、垃圾桶满溢"),
    ("illegal-construction", "违法建设", "市容环境", "违建 私搭乱建 加建", "cgj", _R, False, (),
     "私搭乱建、违法加建"),
    ("outdoor-ads", "户外广告及招牌", "市容环境", "广告 招牌 牌匾 脱落", "cgj", _C, False, (),
     "违规户外广告、招牌破损有坠落危险"),
    ("greenery", "绿化养护", "市容环境", "绿化 树木 修剪 倒伏", "cgj", _H, False, (),
     "树木倒伏、枝杈遮挡、绿地损毁"),
    ("air-pollution", "大气污染", "生态环境", "油烟 废气 异味 烟尘", "sthj", _C, False, (_WHEN,),
     "餐饮油烟、工业废气、焚烧异味"),
    ("water-pollution", "水污染", "生态环境", "污水 排污 河道 黑臭", "sthj", _R, False, (),
     "偷排污水、河道黑臭"),
    ("food-safety", "食品安全", "市场监管", "食品 过期 变质 餐馆 卫生", "scjg", _R, False, (),
     "过期变质食品、餐饮卫生问题"),
    ("consumer-rights", "消费维权", "市场监管", "消费 退款 预付卡 虚假宣传", "scjg", _C, False, (),
     "消费纠纷、预付卡退费、虚假宣传"),
    ("price", "价格违法", "市场监管", "价格 乱收费 明码标价", "scjg", _C, False, (),
     "未明码标价、价格欺诈、乱收费"),
    ("property-management", "物业服务", "住房", "物业 小区 电梯 物业费", "zjj", _C, False, (),
     "物业服务不到位、电梯故障、公共部位维修"),
    ("housing-quality", "房屋质量", "住房", "房屋 漏水 裂缝 质量", "zjj", _C, False, (),
     "新建商品房质量问题"),
    ("bus", "公交服务", "交通出行", "公交 班次 线路 站点", "jtj", _S, False, (),
     "公交线路、班次、站点设置及服务"),
    ("taxi", "出租车及网约车", "交通出行", "出租车 网约车 拒载 绕路", "jtj", _C, False, (),
     "拒载、绕路、乱收费"),
    ("parking", "违章停车", "交通出行", "停车 占用 消防通道 乱停", "gaj", _C, False, (),
     "机动车乱停乱放、占用消防通道"),
    ("wage-arrears", "拖欠工资", "劳动社保", "工资 欠薪 农民工", "rsj", _H, False, (),
     "拖欠劳动报酬"),
    ("social-insurance", "社保业务", "劳动社保", "社保 医保 养老保险 缴费", "rsj", TicketType.CONSULTATION,
     False, (), "社会保险缴费、转移、待遇咨询"),
    ("school", "教育管理", "教育卫生", "学校 入学 收费 校外培训", "jyj", _C, False, (),
     "入学、学校收费、校外培训机构"),
    ("medical", "医疗服务", "教育卫生", "医院 医疗 挂号 服务态度", "wjw", _C, False, (),
     "医疗机构服务、挂号就诊"),
    ("public-security", "治安隐患", "平安建设", "治安 安全隐患 可疑", "gaj", _R, False, (),
     "治安隐患（正在发生的警情请拨打110）"),
)

DEMO_CATEGORIES: tuple[Category, ...] = tuple(
    Category(code=code, name=name, group=group, keywords=words.split(), department=department,
             ticket_type=type_, utility=utility, attributes=list(attributes), description=description)
    for code, name, group, words, department, type_, utility, attributes, description in _ROWS)
