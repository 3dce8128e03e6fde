"""What generated demo data is made of: the term calendar, sizes and shares, the topic
tree with its phrases, names, outlets and the words of titles, summaries and sources.
Generated text is English data (with Chinese names), not interface text."""

from __future__ import annotations

from dataclasses import dataclass

from proposals.models import Status

# Since 1983 both bodies have sat in aligned five-year terms (6th NPC and 6th CPPCC,
# 1983-1987; 14th from 2023), one plenary session a year.
MODERN_TERMS_START = 1983
FIRST_TERM_NUMBER = 6
TERM_YEARS = 5
DEFAULT_FIRST_YEAR = MODERN_TERMS_START
DEFAULT_LAST_YEAR = 2025
NPC_SIZE = 3000  # deputies
CPPCC_SIZE = 2200  # national committee members
REELECTED_SHARE = 0.45  # of a term's members, seated again in the next term
BODY_SWITCH_SHARE = 0.02  # of a new term's seats, taken by leavers of the other body
AFFILIATED_SHARE = 0.35  # delegates with a company role (entrepreneurs, executives)
BATCH_SIZE = 10_000
# Titles, company and topic names of generated records carry this, so that a real
# record added later can never collide with one on a unique name.
DEMO_MARK = " (demo)"
SLUG_PREFIX = "gen-"
# A reserved top-level domain (RFC 6761): generated sources never link to a real site.
SOURCE_DOMAIN = "demo.example"

# How generated summaries name a body's members and filings (English data).
MEMBER_NOUNS = {"npc": "deputy", "cppcc": "member"}
FILING_NOUNS = {"npc": "suggestion", "cppcc": "proposal"}
TOPIC_COUNT_WEIGHTS = (45, 30, 17, 8)  # 1, 2, 3 or 4 topics
SOURCE_COUNT_WEIGHTS = (76, 20, 4)  # 1, 2 or 3 sources
FOCUS_SHARE = 0.55  # chance a proposal's first topic is in its delegate's field
# Older proposals have had their answers; the newest session's are mostly pending.
# Realistic proportions (issue 13): almost every reply goes unpublished, so the
# outcome of most proposals is not known; a few are reported replied or adopted.
PAST_STATUS_WEIGHTS = {
    Status.SUBMITTED: 86,
    Status.ACCEPTED: 3,
    Status.ANSWERED: 7,
    Status.PARTIAL: 2,
    Status.ADOPTED: 1.5,
    Status.WITHDRAWN: 0.5,
}
LATEST_STATUS_WEIGHTS = {Status.SUBMITTED: 95, Status.ACCEPTED: 5}


@dataclass(frozen=True)
class SubTopic:
    name: str
    intro: int  # the first year anyone files on it
    phrases: tuple[str, str, str]


@dataclass(frozen=True)
class RootTopic:
    name: str
    name_zh: str
    sector: str
    color: str
    kinds: tuple[tuple[str, str], ...]  # company kinds in this sector: (English, Chinese)
    children: tuple[SubTopic, ...]


# fmt: off
TOPIC_TREE: tuple[RootTopic, ...] = (
    RootTopic("Digital infrastructure", "数字基础设施", "Telecommunications", "#1f77b4", (("Telecom", "电信"), ("Networks", "网络"), ("Communications", "通信")), (
        SubTopic("Broadband", 1998, ("rural broadband access", "gigabit fibre networks", "household broadband tariffs")),
        SubTopic("Mobile networks", 1995, ("mobile coverage in remote villages", "mobile data tariffs", "spectrum for mobile operators")),
        SubTopic("5G", 2014, ("5G base-station construction", "5G applications in factories", "shared 5G towers")),
        SubTopic("Data centres", 2010, ("green data centres", "the east-to-west computing corridor", "data-centre power efficiency")),
        SubTopic("Satellite internet", 2019, ("low-orbit satellite internet", "satellite broadband for ships and aircraft", "a national satellite-internet operator")),
    )),
    RootTopic("AI and computing", "人工智能与计算", "Artificial intelligence", "#9467bd", (("Intelligence", "智能"), ("Computing", "计算"), ("Microelectronics", "微电子")), (
        SubTopic("Artificial intelligence", 2016, ("AI research labs", "AI in public services", "open datasets for AI training")),
        SubTopic("Generative AI", 2023, ("rules for generative AI services", "computing vouchers for large models", "labels on AI-generated content")),
        SubTopic("Semiconductors", 1990, ("domestic chip foundries", "chip-design talent", "semiconductor equipment makers")),
        SubTopic("Quantum technology", 2017, ("quantum computing research", "quantum communication networks", "quantum-safe encryption")),
        SubTopic("Supercomputing", 2005, ("national supercomputing centres", "shared access to supercomputers", "high-performance computing for research")),
    )),
    RootTopic("Digital economy", "数字经济", "Internet", "#ff7f0e", (("Technology", "科技"), ("Internet", "互联网"), ("Digital", "数字")), (
        SubTopic("E-commerce", 2000, ("cross-border e-commerce", "rural e-commerce logistics", "online shop registration")),
        SubTopic("Platform economy", 2015, ("fair competition among online platforms", "protections for platform gig workers", "transparent platform fees")),
        SubTopic("Mobile payments", 2012, ("mobile payment security", "QR-code payments for small merchants", "payment access for elderly users")),
        SubTopic("Sharing economy", 2015, ("bike-sharing management", "short-term rental rules", "insurance for sharing-economy services")),
        SubTopic("Live-stream selling", 2020, ("live-stream sales standards", "consumer rights in live-stream selling", "tax compliance for live-stream hosts")),
    )),
    RootTopic("Data and security", "数据与安全", "Cybersecurity", "#d62728", (("Security", "安全"), ("Information", "信息"), ("Data", "数据")), (
        SubTopic("Personal data", 2010, ("personal data protection", "consent rules for apps", "the deletion of personal data")),
        SubTopic("Cybersecurity", 2000, ("cybersecurity of critical infrastructure", "cybersecurity talent", "vulnerability disclosure")),
        SubTopic("Data markets", 2020, ("public data exchanges", "data ownership rules", "cross-border data flows")),
        SubTopic("Minors online", 2008, ("anti-addiction rules for young gamers", "youth modes on video apps", "online safety lessons in schools")),
        SubTopic("Online fraud", 2012, ("telecom fraud prevention", "refunds for scam victims", "real-name checks on phone cards")),
    )),
    RootTopic("Mobility", "出行", "Automotive", "#2ca02c", (("Motors", "汽车"), ("Auto", "汽车集团"), ("Logistics", "物流")), (
        SubTopic("New-energy vehicles", 2009, ("new-energy vehicle subsidies", "electric buses in cities", "hydrogen fuel-cell trucks")),
        SubTopic("Charging networks", 2014, ("charging piles in residential compounds", "fast charging on expressways", "battery-swapping stations")),
        SubTopic("Autonomous driving", 2017, ("road tests for self-driving cars", "liability rules for autonomous vehicles", "roadside units for connected vehicles")),
        SubTopic("Transport and logistics", 1983, ("rail freight capacity", "cold-chain logistics", "rural delivery networks")),
        SubTopic("Low-altitude economy", 2024, ("drone delivery corridors", "low-altitude airspace management", "certification of electric air taxis")),
    )),
    RootTopic("Energy and climate", "能源与气候", "Energy", "#17becf", (("Energy", "能源"), ("New Energy", "新能源"), ("Power", "电力")), (
        SubTopic("Carbon neutrality", 2021, ("the national carbon market", "carbon-footprint accounting", "corporate emission disclosure")),
        SubTopic("Renewable power", 2005, ("rooftop solar", "offshore wind farms", "grid access for renewable power")),
        SubTopic("Energy storage", 2017, ("grid-scale energy storage", "battery recycling", "pumped-storage hydropower")),
        SubTopic("Pollution control", 1983, ("air-pollution control in northern cities", "river clean-up", "industrial waste-water treatment")),
        SubTopic("Energy security", 1983, ("stable coal supply", "strategic oil reserves", "diversified energy imports")),
    )),
    RootTopic("Industry", "产业", "Manufacturing", "#8c564b", (("Industries", "实业"), ("Machinery", "机械"), ("Electronics", "电子")), (
        SubTopic("Manufacturing upgrade", 1983, ("equipment upgrades in traditional factories", "quality standards for manufactured goods", "technical schools for factory workers")),
        SubTopic("Industrial internet", 2018, ("industrial internet platforms", "the digital transformation of small factories", "industrial data standards")),
        SubTopic("Robotics", 2014, ("industrial robot makers", "service robots in hospitals", "robotics research centres")),
        SubTopic("Supply chains", 2019, ("supply-chain resilience", "domestic sourcing of key components", "port and shipping capacity")),
        SubTopic("State-owned enterprise reform", 1983, ("mixed-ownership reform", "the governance of state firms", "the restructuring of loss-making state firms")),
    )),
    RootTopic("Finance and tax", "金融与税收", "Finance", "#bcbd22", (("Bank", "银行"), ("Securities", "证券"), ("Capital", "资本")), (
        SubTopic("Capital markets", 1991, ("registration-based IPOs", "protections for small investors", "bond-market access for private firms")),
        SubTopic("Fintech", 2015, ("fintech regulatory sandboxes", "oversight of online lending", "credit scoring with alternative data")),
        SubTopic("SME finance", 1998, ("bank loans for small businesses", "credit guarantees for start-ups", "prompt payment of SME invoices")),
        SubTopic("Tax reform", 1983, ("the personal income-tax threshold", "R&D tax deductions", "VAT cuts for manufacturers")),
        SubTopic("Digital currency", 2020, ("digital-yuan pilots", "digital-yuan wallets for visitors", "cross-border digital-currency settlement")),
    )),
    RootTopic("Society", "社会民生", "Healthcare", "#e377c2", (("Pharmaceutical", "医药"), ("Medical", "医疗"), ("Education", "教育")), (
        SubTopic("Education", 1983, ("teacher pay in rural schools", "vocational education", "digital classrooms")),
        SubTopic("Healthcare", 1983, ("internet hospitals", "rural clinics", "medical insurance coverage")),
        SubTopic("Elderly care", 2000, ("community elderly care", "age-friendly apps", "long-term care insurance")),
        SubTopic("Employment", 1983, ("jobs for college graduates", "skills training for migrant workers", "unemployment insurance")),
        SubTopic("Rural revitalisation", 2017, ("rural tourism", "farm mechanisation", "village roads and broadband")),
    )),
    RootTopic("Law and governance", "法治与治理", "Professional services", "#7f7f7f", (("Consulting", "咨询"), ("Law Firm", "律师事务所"), ("Certification", "认证")), (
        SubTopic("Legislation", 1983, ("a law on the private economy", "updates to the company law", "clearer administrative procedures")),
        SubTopic("Intellectual property", 1990, ("patent protection", "faster trademark examination", "damages for IP infringement")),
        SubTopic("Market regulation", 1993, ("fair-competition reviews", "product safety recalls", "credit records for businesses")),
        SubTopic("Open government", 2008, ("online government services", "open government data", "one-stop business registration")),
        SubTopic("Standards", 1990, ("national technical standards", "international standard-setting", "standards for smart-home devices")),
    )),
)
# fmt: on

# Family names in rough order of frequency, so that the common ones come up more often.
SURNAMES = (
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"),
    ("Yang", "杨"), ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Zhou", "周"),
    ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"),
    ("Guo", "郭"), ("He", "何"), ("Gao", "高"), ("Lin", "林"), ("Luo", "罗"),
    ("Zheng", "郑"), ("Liang", "梁"), ("Xie", "谢"), ("Song", "宋"), ("Tang", "唐"),
    ("Han", "韩"), ("Feng", "冯"), ("Deng", "邓"), ("Cao", "曹"), ("Peng", "彭"),
    ("Zeng", "曾"), ("Xiao", "肖"), ("Tian", "田"), ("Dong", "董"), ("Pan", "潘"),
    ("Yuan", "袁"), ("Cai", "蔡"), ("Jiang", "蒋"), ("Yu", "余"), ("Du", "杜"),
    ("Ye", "叶"), ("Cheng", "程"), ("Wei", "魏"), ("Su", "苏"), ("Lyu", "吕"),
    ("Ding", "丁"), ("Ren", "任"), ("Lu", "卢"), ("Yao", "姚"), ("Shen", "沈"),
)  # fmt: skip
GIVEN_SYLLABLES = (
    ("wei", "伟"), ("fang", "芳"), ("min", "敏"), ("jing", "静"), ("li", "丽"),
    ("qiang", "强"), ("lei", "磊"), ("jun", "军"), ("yang", "洋"), ("yong", "勇"),
    ("yan", "艳"), ("jie", "杰"), ("tao", "涛"), ("ming", "明"), ("chao", "超"),
    ("hua", "华"), ("hui", "慧"), ("ping", "平"), ("gang", "刚"), ("jian", "建"),
    ("guo", "国"), ("zhi", "志"), ("hong", "红"), ("xiao", "晓"), ("dong", "东"),
    ("hai", "海"), ("ling", "玲"), ("bin", "斌"), ("yun", "云"), ("feng", "峰"),
    ("xin", "鑫"), ("peng", "鹏"), ("hao", "浩"), ("yu", "宇"), ("kai", "凯"),
    ("rong", "荣"), ("qing", "清"), ("lan", "兰"), ("wen", "文"), ("bo", "波"),
    ("ning", "宁"), ("chun", "春"), ("zhen", "振"), ("sheng", "胜"), ("liang", "亮"),
    ("mei", "梅"), ("xia", "霞"), ("na", "娜"), ("tian", "天"), ("yi", "毅"),
)  # fmt: skip
BRAND_SYLLABLES = (
    ("Hua", "华"), ("Zhong", "中"), ("Xin", "信"), ("Tian", "天"), ("Jin", "金"),
    ("Long", "龙"), ("Hai", "海"), ("Rui", "瑞"), ("Kang", "康"), ("Da", "达"),
    ("Sheng", "盛"), ("Heng", "恒"), ("Yuan", "源"), ("Tai", "泰"), ("Feng", "丰"),
    ("Guang", "光"), ("Ming", "明"), ("Yu", "宇"), ("Hong", "宏"), ("Wei", "威"),
    ("Chang", "长"), ("Bo", "博"), ("Kai", "凯"), ("Tong", "通"), ("Xing", "星"),
    ("Jia", "嘉"), ("Fu", "富"), ("Ding", "鼎"), ("Chuang", "创"), ("Zhi", "智"),
)  # fmt: skip
ROLES = (
    "Chairman", "Chairwoman", "Founder & CEO", "President", "Chief Executive",
    "Vice President", "Chief Scientist", "Board Director", "General Manager",
)  # fmt: skip
PROVINCES = (
    "Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin",
    "Heilongjiang", "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi",
    "Shandong", "Henan", "Hubei", "Hunan", "Guangdong", "Guangxi", "Hainan", "Chongqing",
    "Sichuan", "Guizhou", "Yunnan", "Tibet", "Shaanxi", "Gansu", "Qinghai", "Ningxia",
    "Xinjiang", "Hong Kong", "Macao", "People's Liberation Army",
)  # fmt: skip
CPPCC_SECTORS = (
    "Economic circles", "Science and technology", "Non-party personages",
    "All-China Federation of Industry and Commerce", "Specially invited", "Education",
    "Literature and art", "Medicine and health", "Agriculture", "Press and publishing",
    "Social welfare", "China Democratic League", "China Democratic National Construction "
    "Association", "Jiusan Society", "Communist Youth League", "Women's federations",
    "Trade unions", "Returned overseas Chinese", "Hong Kong", "Macao", "Sports",
)  # fmt: skip
OUTLETS = (
    ("Demo Daily", "daily"),
    ("Example Tech Review", "techreview"),
    ("Two Sessions Wire (demo)", "wire"),
    ("示例财经", "caijing"),
    ("演示新闻网", "news"),
    ("Sample Business Times", "bizdaily"),
)
VERBS = (
    "Expand", "Speed up", "Standardise", "Support", "Regulate", "Fund", "Pilot",
    "Cut red tape for", "Set national rules for", "Improve", "Strengthen oversight of",
    "Encourage private investment in", "Create a national fund for", "Train more talent for",
    "Open up", "Simplify approvals for", "Modernise", "Protect",
)  # fmt: skip
QUALIFIERS = (
    "", "", "", " in rural counties", " in central and western provinces",
    " across the Greater Bay Area", " in the Yangtze River Delta",
    " for small and medium-sized firms", " through tax incentives",
    " with a national pilot programme", " by {target}", " in county towns",
    " under one national standard", " with public-private partnerships",
    " for elderly and disabled users", " in border regions",
)  # fmt: skip
RATIONALES = (
    "The {member} argued that {phrase} had fallen behind demand and that clear national "
    "rules would unlock private investment.",
    "Citing local surveys, the {member} said uneven provincial policies on {phrase} raised "
    "costs for companies and users alike.",
    "The filing noted that {phrase} matters to {root} and that other major economies "
    "already had dedicated programmes.",
    "According to the {member}, gaps in {phrase} widened the divide between cities and the "
    "countryside.",
    "The {member} pointed to complaints from businesses that approvals touching {phrase} "
    "took too long and involved too many agencies.",
    "The {filing} framed {phrase} as a test of the next five-year plan's goals for {root}.",
    "Drawing on visits in their constituency, the {member} said {phrase} lacked skilled "
    "staff and long-term funding.",
    "The {member} warned that without action on {phrase}, risks to consumers and public "
    "safety would grow.",
)
MEASURES = (
    "It asks ministries to publish a timetable and report on progress each year.",
    "It proposes a pilot in a few provinces before a national roll-out.",
    "It suggests tax credits and cheaper land for companies that invest.",
    "It calls for a single national standard drafted with industry associations.",
    "It recommends a special fund jointly financed by central and local budgets.",
    "It asks for a clear division of duties among regulators and a one-stop service window.",
    "It proposes training programmes with universities and vocational colleges.",
    "It suggests stronger penalties for violations and a public blacklist.",
)
EN_SOURCE_TITLES = (
    "Two sessions {year}: what delegates proposed on {root_lower}",
    "{name} and others call for action on {root_lower} at the {year} two sessions",
    "{year} two sessions: {root} proposals to watch",
    "At the {year} two sessions, {root_lower} tops business leaders' agenda",
)
ZH_SOURCE_TITLES = (
    "{year}年全国两会｜{name_zh}：聚焦{root_zh}",
    "两会观察｜{root_zh}成为{year}年代表委员关注热点",
    "{name_zh}谈{root_zh}：{year}年全国两会建言",
    "{year}全国两会{root_zh}议题盘点",
)


# Outcome events of generated proposals (demo/outcomes.py).
DEPARTMENTS = (
    "Ministry of Industry and Information Technology (demo)",
    "National Development and Reform Commission (demo)",
    "Ministry of Finance (demo)",
    "Ministry of Science and Technology (demo)",
    "Ministry of Education (demo)",
    "National Energy Administration (demo)",
)
POLICIES = (
    "a State Council guideline (demo)",
    "the year's Government Work Report (demo)",
    "a ministry's five-year plan (demo)",
)
REPEAT_SHARE = 0.04  # chance a proposal files again an earlier ask of its delegate
