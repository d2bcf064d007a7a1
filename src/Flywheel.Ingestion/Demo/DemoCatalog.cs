namespace Flywheel.Ingestion.Demo;

/// <summary>
/// One traffic channel of the Chinese market as the demo models it. <see cref="TrafficShare"/> is its share of
/// sessions; <see cref="ConversionLift"/> multiplies the chance that a session on it ends in an order (private
/// domain converts far better than a weibo feed); paid channels carry ad spend at <see cref="Ctr"/> and
/// <see cref="CpcFen"/>; KOL channels carry sponsored posts. <see cref="Mediums"/> splits a channel's sessions
/// by utm_medium.
/// </summary>
internal sealed record DemoChannel(
    string Code,
    string DisplayName,
    string Source,
    double TrafficShare,
    double ConversionLift,
    double RepeatAffinity,
    double Ctr,
    long CpcFen,
    bool HasKols,
    (string Medium, double Share)[] Mediums)
{
    public bool IsPaid => CpcFen > 0;
}

internal sealed record DemoCategory(string Code, string Name, string Store, long MinPriceFen, long MaxPriceFen, double CostRatio,
    string[] Subcategories, string[] Brands, string[] Nouns, string[] Tags, double Share);

internal sealed record DemoCity(string Province, string City, string Tier, double Weight);

internal static class DemoCatalog
{
    public static readonly DemoChannel[] Channels =
    [
        new("xiaohongshu", "小红书", "xiaohongshu", 0.12, 0.75, 0.6, 0.018, 250, true, [("kol", 0.45), ("cpc", 0.25), ("organic", 0.30)]),
        new("douyin", "抖音", "douyin", 0.17, 0.90, 0.7, 0.015, 220, true, [("kol", 0.40), ("cpc", 0.35), ("organic", 0.25)]),
        new("bilibili", "B站", "bilibili", 0.05, 0.60, 0.5, 0.012, 200, true, [("kol", 0.55), ("cpc", 0.20), ("organic", 0.25)]),
        new("weibo", "微博", "weibo", 0.05, 0.40, 0.4, 0.008, 150, true, [("kol", 0.40), ("cpc", 0.30), ("organic", 0.30)]),
        new("tmall", "淘宝/天猫", "tmall", 0.22, 1.40, 1.2, 0.030, 350, false, [("cpc", 0.45), ("organic", 0.55)]),
        new("jd", "京东", "jd", 0.10, 1.30, 1.1, 0.025, 380, false, [("cpc", 0.45), ("organic", 0.55)]),
        new("pinduoduo", "拼多多", "pinduoduo", 0.08, 1.20, 0.9, 0.035, 150, false, [("cpc", 0.50), ("organic", 0.50)]),
        new("wechat", "微信私域", "wecom", 0.08, 2.00, 2.5, 0, 0, false, [("private", 1.0)]),
        new("baidu", "百度搜索", "baidu", 0.05, 0.80, 0.5, 0.020, 500, false, [("cpc", 0.60), ("organic", 0.40)]),
        new("email", "邮件", "newsletter", 0.03, 1.10, 1.8, 0, 0, false, [("email", 1.0)]),
        new("sms", "短信", "sms", 0.05, 1.00, 1.8, 0, 0, false, [("sms", 1.0)]),
    ];

    public static readonly (string Code, string Name)[] Stores =
    [
        ("flagship", "品牌官方旗舰店"),
        ("baby_store", "母婴专营店"),
        ("digital_store", "数码专营店"),
    ];

    public static readonly DemoCategory[] Categories =
    [
        new("mother_baby", "母婴", "baby_store", 3_900, 45_900, 0.55,
            ["奶粉", "纸尿裤", "辅食", "婴儿洗护", "童装", "玩具"], ["贝因美", "飞鹤", "好奇", "帮宝适", "启赋", "babycare"],
            ["婴幼儿配方奶粉", "拉拉裤", "米粉", "洗发沐浴二合一", "连体衣", "益智积木"], ["新生儿", "有机", "敏感肌", "大促爆款"], 0.20),
        new("beauty", "美妆", "flagship", 5_900, 89_900, 0.30,
            ["面部精华", "面霜", "口红", "防晒", "面膜", "卸妆"], ["珀莱雅", "薇诺娜", "花西子", "完美日记", "自然堂", "百雀羚"],
            ["抗皱精华液", "修护面霜", "丝绒哑光口红", "清透防晒乳", "补水面膜", "温和卸妆油"], ["国货", "敏感肌", "抗老", "小红书爆款", "礼盒"], 0.24),
        new("digital", "数码", "digital_store", 9_900, 599_900, 0.72,
            ["耳机", "充电器", "智能手表", "平板配件", "移动电源", "键盘"], ["小米", "华为", "漫步者", "倍思", "绿联", "罗技"],
            ["真无线降噪耳机", "65W氮化镓充电器", "运动手表", "磁吸保护套", "20000毫安充电宝", "机械键盘"], ["快充", "降噪", "新品", "以旧换新"], 0.12),
        new("apparel", "服饰", "flagship", 7_900, 129_900, 0.40,
            ["T恤", "卫衣", "羽绒服", "连衣裙", "运动鞋", "牛仔裤"], ["李宁", "安踏", "太平鸟", "波司登", "优衣库", "森马"],
            ["纯棉短袖T恤", "加绒连帽卫衣", "轻薄羽绒服", "法式碎花连衣裙", "缓震跑鞋", "直筒牛仔裤"], ["新款", "国潮", "保暖", "显瘦"], 0.18),
        new("food", "食品", "flagship", 1_990, 19_900, 0.50,
            ["零食", "咖啡", "茶叶", "坚果", "方便速食", "乳品"], ["三只松鼠", "良品铺子", "三顿半", "元气森林", "伊利", "认养一头牛"],
            ["每日坚果", "冻干咖啡", "明前龙井", "混合果干", "螺蛳粉", "纯牛奶整箱"], ["囤货", "零添加", "家庭装", "节日礼盒"], 0.16),
        new("home", "家居", "flagship", 2_900, 199_900, 0.45,
            ["床品", "收纳", "厨具", "清洁", "香薰", "小家电"], ["罗莱", "水星家纺", "苏泊尔", "九阳", "网易严选", "名创优品"],
            ["全棉四件套", "折叠收纳箱", "不粘炒锅", "洗地机", "香薰蜡烛", "空气炸锅"], ["品质生活", "租房好物", "大促爆款"], 0.10),
    ];

    public static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
        "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "欧阳", "司马",
    ];

    public static readonly string[] FemaleGiven =
    [
        "静", "丽", "敏", "婷", "雪", "娜", "芳", "悦", "欣怡", "梓涵", "诗涵", "雨桐", "可馨", "佳怡", "子萱", "思彤", "晓雯", "雅琪",
        "梦瑶", "一诺", "语嫣", "若曦", "婉清", "慧敏",
    ];

    public static readonly string[] MaleGiven =
    [
        "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "浩然", "子轩", "宇航", "俊杰", "博文", "梓豪", "思远", "天佑", "志强", "建华",
        "明轩", "一鸣", "嘉懿", "文博", "宏伟", "晨阳",
    ];

    public static readonly DemoCity[] Cities =
    [
        new("北京", "北京", "tier1", 6), new("上海", "上海", "tier1", 6.5), new("广东", "广州", "tier1", 5), new("广东", "深圳", "tier1", 5.5),
        new("四川", "成都", "new_tier1", 4), new("浙江", "杭州", "new_tier1", 4.5), new("重庆", "重庆", "new_tier1", 3.5), new("湖北", "武汉", "new_tier1", 3.5),
        new("江苏", "南京", "new_tier1", 3), new("江苏", "苏州", "new_tier1", 3), new("陕西", "西安", "new_tier1", 2.5), new("湖南", "长沙", "new_tier1", 2.5),
        new("天津", "天津", "new_tier1", 2.5), new("河南", "郑州", "new_tier1", 2.5), new("广东", "东莞", "new_tier1", 2), new("山东", "青岛", "new_tier1", 2),
        new("福建", "厦门", "tier2", 1.8), new("福建", "福州", "tier2", 1.6), new("浙江", "宁波", "tier2", 1.8), new("山东", "济南", "tier2", 1.6),
        new("辽宁", "大连", "tier2", 1.3), new("云南", "昆明", "tier2", 1.3), new("安徽", "合肥", "tier2", 1.8), new("江苏", "无锡", "tier2", 1.5),
        new("广东", "佛山", "tier2", 1.5), new("黑龙江", "哈尔滨", "tier2", 1.2), new("江西", "南昌", "tier3", 1.1), new("广西", "南宁", "tier3", 1.0),
        new("河北", "石家庄", "tier3", 1.0), new("山西", "太原", "tier3", 0.9), new("贵州", "贵阳", "tier3", 0.9), new("浙江", "温州", "tier3", 1.0),
        new("甘肃", "兰州", "tier3", 0.6), new("海南", "海口", "tier3", 0.5), new("湖南", "岳阳", "tier4", 0.6), new("河南", "洛阳", "tier4", 0.7),
        new("江苏", "盐城", "tier4", 0.6), new("四川", "绵阳", "tier4", 0.6), new("广西", "桂林", "tier4", 0.5), new("湖北", "宜昌", "tier4", 0.5),
        new("内蒙古", "呼和浩特", "tier4", 0.4), new("新疆", "乌鲁木齐", "tier4", 0.4), new("河北", "邢台", "tier5", 0.4), new("安徽", "阜阳", "tier5", 0.5),
        new("甘肃", "天水", "tier5", 0.3), new("云南", "曲靖", "tier5", 0.3),
    ];

    public static readonly (string Code, double Share)[] MemberTiers = [("regular", 0.55), ("silver", 0.25), ("gold", 0.14), ("platinum", 0.05), ("diamond", 0.01)];

    public static readonly string[] KolNameParts1 = ["小", "大", "阿", "甜", "酷", "爱", "懒", "元气", "宝藏", "认真"];

    public static readonly string[] KolNameParts2 = ["桃子", "鹿鹿", "可乐", "橙子", "测评君", "妈咪", "仙女", "学长", "姐姐", "实验室", "种草机", "日记"];

    public static readonly string[] SearchTerms =
    [
        "奶粉", "纸尿裤", "精华", "口红", "防晒", "耳机", "充电宝", "羽绒服", "运动鞋", "咖啡", "坚果", "四件套", "空气炸锅", "面膜", "礼盒", "双11攻略", "618必买",
    ];

    /// <summary>
    /// How many products an on-site search for a term finds: 0 for the festival guides (no page answers them), else a count fixed by the
    /// term's place in <see cref="SearchTerms"/> (no draw, so the random stream is untouched).
    /// </summary>
    public static int SearchResults(string term) => term is "双11攻略" or "618必买" ? 0 : 6 + 7 * Array.IndexOf(SearchTerms, term) % 41;
}
