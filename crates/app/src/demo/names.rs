//! Name lists for the demo county: townships, village-name parts, surnames and given names.
//!
//! Everything here is synthetic. The township names are those of Xing County (兴县), Shanxi, but the
//! codes attached to them in [`TOWNSHIPS`] are made up for the demo and are not the official
//! statistical division codes (统计用区划代码).

/// County code (行政区划代码, 6 digits) of the demo county, Xing County, Lüliang, Shanxi.
pub const COUNTY_CODE: u32 = 141123;
/// County name (兴县).
pub const COUNTY_NAME: &str = "兴县";
/// Postal-address prefix of the county.
pub const ADDRESS_PREFIX: &str = "山西省吕梁市兴县";

/// Townships (乡镇) of the demo county: 3-digit township part of the code and name.
///
/// Towns (镇) get 1xx, townships (乡) 2xx, as in the national code scheme; the numbers themselves
/// are synthetic. 蔚汾镇 is the county seat; 圪塔上乡 is the township whose 2022 action plan the
/// system is built from.
pub const TOWNSHIPS: &[(u16, &str)] = &[
    (100, "蔚汾镇"),
    (101, "魏家滩镇"),
    (102, "瓦塘镇"),
    (103, "康宁镇"),
    (104, "高家村镇"),
    (105, "罗峪口镇"),
    (106, "蔡家会镇"),
    (107, "东会镇"),
    (200, "交楼申乡"),
    (201, "恶虎滩乡"),
    (202, "固贤乡"),
    (203, "奥家湾乡"),
    (204, "蔡家崖乡"),
    (205, "贺家会乡"),
    (206, "孟家坪乡"),
    (207, "赵家坪乡"),
    (208, "圪塔上乡"),
];

/// Relative size of each township (households), same order as [`TOWNSHIPS`]: the county seat and
/// the towns along the Yellow River and the coal field are larger.
pub const TOWNSHIP_WEIGHTS: &[u32] = &[26, 12, 9, 8, 9, 8, 7, 7, 5, 5, 5, 4, 6, 5, 4, 4, 6];

/// Name of the relocation settlement point (易地扶贫搬迁集中安置点) in the county seat.
pub const SETTLEMENT_NAME: &str = "蔚汾镇晋绥新村易地扶贫搬迁集中安置点";
/// Street part of the settlement point's addresses.
pub const SETTLEMENT_STREET: &str = "晋绥新村";

/// Family-name parts used in loess-plateau village names (李家沟, 高家塔 …).
pub const VILLAGE_CLANS: &[&str] = &[
    "李", "王", "张", "刘", "高", "白", "贾", "郝", "杨", "孙", "任", "薛", "郭", "韩", "马", "赵",
    "冯", "温", "康", "乔", "苗", "崔", "牛", "武", "田", "吕", "曹", "宋", "胡", "穆", "闫", "段",
    "邢", "阎", "侯", "樊", "贺", "孟", "蔡", "罗", "魏", "奥", "裴", "石", "黄", "秦", "程", "訾",
];

/// Land-form suffixes of village names after `X家` (沟 gully, 塔 hill, 峁 round hill, 坪 flat …).
pub const VILLAGE_SUFFIXES: &[&str] = &[
    "沟", "塔", "峁", "坪", "湾", "庄", "坡", "岔", "圪垛", "川", "畔", "梁", "咀", "墕", "寨",
    "坬", "圪台", "崖", "窑", "沟门",
];

/// Stand-alone village names (not of the `X家Y` pattern).
pub const VILLAGE_PLAIN: &[&str] = &[
    "碧村",
    "黑峪口",
    "石门庄",
    "花园沟",
    "杨家坡",
    "白家沟",
    "关家崖",
    "阳坡",
    "后南沟",
    "北坡",
    "大峪口",
    "小善",
    "寨上",
    "城坡",
    "东坡",
    "西坡",
    "南沟",
    "北沟",
    "阳湾",
    "阴湾",
    "峰堰",
    "庙沟",
    "前庄",
    "后庄",
    "红崖",
    "沙坪",
    "石岭",
    "芦子沟",
    "柳林坪",
    "杏树湾",
    "枣林",
    "桃园",
    "榆树坪",
    "井沟",
    "上明",
    "下明",
    "圪垛坪",
    "盘塘",
    "界峁",
    "川口",
    "河湾",
    "新庄",
    "旧庄",
    "马圈沟",
    "羊圈峁",
    "水磨湾",
    "庙塔",
    "高崖",
    "槐树坪",
    "圪针湾",
];

/// Natural-village (自然村) names inside an administrative village.
pub const NATURAL_VILLAGE_NAMES: &[&str] = &[
    "前沟",
    "后沟",
    "上庄",
    "下庄",
    "阳坡",
    "阴坡",
    "东头",
    "西头",
    "南坪",
    "北坪",
    "前峁",
    "后峁",
    "圪垛",
    "湾里",
    "沟掌",
    "梁上",
    "坪上",
    "崖底",
    "河畔",
    "新村",
    "老村",
    "对面坡",
    "窑湾",
    "枣树湾",
    "柳树沟",
    "桃树塔",
];

/// Surnames (姓) with weights, tuned towards north-west Shanxi.
pub const SURNAMES: &[(&str, u32)] = &[
    ("王", 90),
    ("李", 85),
    ("张", 70),
    ("刘", 80),
    ("高", 45),
    ("白", 40),
    ("贾", 30),
    ("郝", 28),
    ("杨", 35),
    ("孙", 22),
    ("任", 20),
    ("薛", 18),
    ("郭", 30),
    ("韩", 22),
    ("马", 20),
    ("赵", 30),
    ("冯", 16),
    ("温", 14),
    ("康", 15),
    ("乔", 12),
    ("苗", 12),
    ("崔", 12),
    ("牛", 12),
    ("武", 18),
    ("田", 12),
    ("吕", 10),
    ("曹", 10),
    ("宋", 10),
    ("胡", 12),
    ("穆", 8),
    ("闫", 14),
    ("段", 8),
    ("邢", 8),
    ("侯", 10),
    ("樊", 8),
    ("贺", 12),
    ("孟", 8),
    ("蔡", 8),
    ("罗", 6),
    ("魏", 8),
    ("裴", 6),
    ("石", 8),
    ("黄", 8),
    ("秦", 6),
    ("程", 6),
    ("訾", 4),
    ("霍", 6),
    ("岳", 5),
    ("常", 6),
    ("雷", 5),
    ("梁", 8),
    ("陈", 12),
    ("周", 8),
    ("吴", 6),
    ("徐", 6),
    ("尚", 4),
    ("渠", 3),
    ("折", 3),
    ("呼", 3),
];

/// Men's given names by birth cohort: before 1960, 1960–1984, 1985 and later.
pub const MALE_GIVEN: [&[&str]; 3] = [
    &[
        "有福", "宝山", "二牛", "满仓", "来锁", "拴柱", "根生", "金贵", "福贵", "长命", "银虎",
        "天保", "存德", "守业", "玉明", "德胜", "占魁", "喜娃", "三毛", "东生", "秉义", "兴旺",
        "毛蛋", "铁锁", "树林", "永福", "万财", "建华", "国华", "保国",
    ],
    &[
        "建国", "建军", "卫东", "志强", "海军", "永军", "小平", "文斌", "俊峰", "晋明", "国栋",
        "利军", "红兵", "爱国", "学军", "云飞", "亮", "平", "军", "勇", "强", "斌", "刚", "峰",
        "晋生", "小龙", "建平", "二虎", "志明", "宏伟",
    ],
    &[
        "浩然", "宇轩", "子豪", "俊杰", "浩宇", "晨阳", "博文", "鑫", "磊", "涛", "鹏", "超",
        "晋阳", "泽宇", "一鸣", "家豪", "子轩", "思远", "天佑", "皓轩", "明轩", "睿", "昊天",
        "嘉乐", "梓航", "振宇", "佳豪", "宇航", "文博", "锦程",
    ],
];

/// Women's given names by birth cohort: before 1960, 1960–1984, 1985 and later.
pub const FEMALE_GIVEN: [&[&str]; 3] = [
    &[
        "桂兰", "秀英", "玉兰", "凤英", "金花", "兰英", "翠花", "爱英", "改莲", "粉莲", "秀兰",
        "桂英", "银花", "玉梅", "春梅", "存女", "二女", "引弟", "招弟", "润梅", "巧英", "转转",
        "凤莲", "拴女", "喜梅", "润莲", "桂香", "玉莲", "月英", "金莲",
    ],
    &[
        "红梅", "丽娟", "艳芳", "晓燕", "海燕", "丽萍", "桂芳", "建英", "小红", "爱萍", "春燕",
        "彩霞", "利平", "美玲", "慧", "敏", "霞", "艳", "芳", "娟", "丽", "燕", "晋芳", "俊梅",
        "瑞霞", "亚琴", "雪梅", "晓霞", "翠萍", "玉霞",
    ],
    &[
        "欣怡", "子涵", "梓涵", "雨桐", "诗涵", "佳怡", "可欣", "思琪", "雨萱", "一诺", "若曦",
        "晨曦", "婷", "静", "璐", "瑶", "佳琪", "梦瑶", "欣悦", "紫萱", "馨月", "语嫣", "婉婷",
        "佳慧", "悦", "晓雪", "梓萱", "艺涵", "沐晴", "安琪",
    ],
];

/// Birth regions (6-digit codes) of people born outside the county, mostly spouses married in:
/// neighbouring counties of Lüliang and across the Yellow River in Shaanxi.
pub const OUTSIDE_REGIONS: &[u32] = &[
    141124, // 临县
    141127, // 岚县
    141128, // 方山县
    141125, // 柳林县
    141102, // 离石区
    141122, // 交城县
    140931, // 保德县 (忻州)
    140930, // 河曲县 (忻州)
    610881, // 神木市 (陕西)
    610822, // 府谷县 (陕西)
    140928, // 五寨县
    140929, // 岢岚县
];

/// Mobile number prefixes (China Mobile / Unicom / Telecom) for the demo phones.
pub const PHONE_PREFIXES: &[&str] = &[
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180",
    "181", "189", "177", "199",
];
