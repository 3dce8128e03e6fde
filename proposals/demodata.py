"""Generated demo data at scale: realistic, deterministic, flagged and removable.

`generate_demo_data()` writes sessions, delegates with seats over five-year terms,
companies with affiliations, a two-level topic tree and proposals with their topics
and sources, every row marked `is_generated` (seats, affiliations and link rows belong
to generated delegates or proposals). `remove_demo_data()` deletes all of it and leaves
the real data as it was.

Design choices, so that a million proposals fit in minutes and bounded memory:

- Rows are built as tuples and written in batches, with COPY on PostgreSQL and
  `executemany` elsewhere. Neither calls `Model.save()`: the seat rule holds by
  construction (a proposal's delegate and body are drawn from that year's seats) and
  `created_at` keeps the fixed timestamp we give it instead of `auto_now_add`'s clock.
- Primary keys of rows that others point to are assigned here (from the table's current
  maximum, tables locked on PostgreSQL), so no insert has to report ids back; the
  sequences are reset afterwards. Link rows take their ids from the database.
- Each concern draws from its own `random.Random` seeded by (seed, concern[, year]), so
  the same arguments give the same data whatever the database already holds.
- Only one year's seats, titles and sources are held at a time, plus one row per
  generated delegate; proposals leave memory with each batch.
"""

from __future__ import annotations

import io
import math
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Exists, Max, Min, OuterRef
from django.utils.text import slugify

from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from proposals.models import Proposal, ProposalTopic, Source, Status
from proposals.realdata import SUBTOPIC_PALETTE
from topics.models import Topic

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

TOPIC_COUNT_WEIGHTS = (45, 30, 17, 8)  # 1, 2, 3 or 4 topics
SOURCE_COUNT_WEIGHTS = (76, 20, 4)  # 1, 2 or 3 sources
FOCUS_SHARE = 0.55  # chance a proposal's first topic is in its delegate's field
# Older proposals have had their answers; the newest session's are mostly pending.
PAST_STATUS_WEIGHTS = {
    Status.SUBMITTED: 25,
    Status.ACCEPTED: 20,
    Status.ANSWERED: 40,
    Status.ADOPTED: 12,
    Status.WITHDRAWN: 3,
}
LATEST_STATUS_WEIGHTS = {Status.SUBMITTED: 70, Status.ACCEPTED: 30}


@dataclass(frozen=True)
class _Sub:
    name: str
    intro: int  # the first year anyone files on it
    phrases: tuple[str, str, str]


@dataclass(frozen=True)
class _Root:
    name: str
    name_zh: str
    sector: str
    color: str
    kinds: tuple[tuple[str, str], ...]  # company kinds in this sector: (English, Chinese)
    children: tuple[_Sub, ...]


# fmt: off
TOPIC_TREE: tuple[_Root, ...] = (
    _Root("Digital infrastructure", "数字基础设施", "Telecommunications", "#1f77b4", (("Telecom", "电信"), ("Networks", "网络"), ("Communications", "通信")), (
        _Sub("Broadband", 1998, ("rural broadband access", "gigabit fibre networks", "household broadband tariffs")),
        _Sub("Mobile networks", 1995, ("mobile coverage in remote villages", "mobile data tariffs", "spectrum for mobile operators")),
        _Sub("5G", 2014, ("5G base-station construction", "5G applications in factories", "shared 5G towers")),
        _Sub("Data centres", 2010, ("green data centres", "the east-to-west computing corridor", "data-centre power efficiency")),
        _Sub("Satellite internet", 2019, ("low-orbit satellite internet", "satellite broadband for ships and aircraft", "a national satellite-internet operator")),
    )),
    _Root("AI and computing", "人工智能与计算", "Artificial intelligence", "#9467bd", (("Intelligence", "智能"), ("Computing", "计算"), ("Microelectronics", "微电子")), (
        _Sub("Artificial intelligence", 2016, ("AI research labs", "AI in public services", "open datasets for AI training")),
        _Sub("Generative AI", 2023, ("rules for generative AI services", "computing vouchers for large models", "labels on AI-generated content")),
        _Sub("Semiconductors", 1990, ("domestic chip foundries", "chip-design talent", "semiconductor equipment makers")),
        _Sub("Quantum technology", 2017, ("quantum computing research", "quantum communication networks", "quantum-safe encryption")),
        _Sub("Supercomputing", 2005, ("national supercomputing centres", "shared access to supercomputers", "high-performance computing for research")),
    )),
    _Root("Digital economy", "数字经济", "Internet", "#ff7f0e", (("Technology", "科技"), ("Internet", "互联网"), ("Digital", "数字")), (
        _Sub("E-commerce", 2000, ("cross-border e-commerce", "rural e-commerce logistics", "online shop registration")),
        _Sub("Platform economy", 2015, ("fair competition among online platforms", "protections for platform gig workers", "transparent platform fees")),
        _Sub("Mobile payments", 2012, ("mobile payment security", "QR-code payments for small merchants", "payment access for elderly users")),
        _Sub("Sharing economy", 2015, ("bike-sharing management", "short-term rental rules", "insurance for sharing-economy services")),
        _Sub("Live-stream selling", 2020, ("live-stream sales standards", "consumer rights in live-stream selling", "tax compliance for live-stream hosts")),
    )),
    _Root("Data and security", "数据与安全", "Cybersecurity", "#d62728", (("Security", "安全"), ("Information", "信息"), ("Data", "数据")), (
        _Sub("Personal data", 2010, ("personal data protection", "consent rules for apps", "the deletion of personal data")),
        _Sub("Cybersecurity", 2000, ("cybersecurity of critical infrastructure", "cybersecurity talent", "vulnerability disclosure")),
        _Sub("Data markets", 2020, ("public data exchanges", "data ownership rules", "cross-border data flows")),
        _Sub("Minors online", 2008, ("anti-addiction rules for young gamers", "youth modes on video apps", "online safety lessons in schools")),
        _Sub("Online fraud", 2012, ("telecom fraud prevention", "refunds for scam victims", "real-name checks on phone cards")),
    )),
    _Root("Mobility", "出行", "Automotive", "#2ca02c", (("Motors", "汽车"), ("Auto", "汽车集团"), ("Logistics", "物流")), (
        _Sub("New-energy vehicles", 2009, ("new-energy vehicle subsidies", "electric buses in cities", "hydrogen fuel-cell trucks")),
        _Sub("Charging networks", 2014, ("charging piles in residential compounds", "fast charging on expressways", "battery-swapping stations")),
        _Sub("Autonomous driving", 2017, ("road tests for self-driving cars", "liability rules for autonomous vehicles", "roadside units for connected vehicles")),
        _Sub("Transport and logistics", 1983, ("rail freight capacity", "cold-chain logistics", "rural delivery networks")),
        _Sub("Low-altitude economy", 2024, ("drone delivery corridors", "low-altitude airspace management", "certification of electric air taxis")),
    )),
    _Root("Energy and climate", "能源与气候", "Energy", "#17becf", (("Energy", "能源"), ("New Energy", "新能源"), ("Power", "电力")), (
        _Sub("Carbon neutrality", 2021, ("the national carbon market", "carbon-footprint accounting", "corporate emission disclosure")),
        _Sub("Renewable power", 2005, ("rooftop solar", "offshore wind farms", "grid access for renewable power")),
        _Sub("Energy storage", 2017, ("grid-scale energy storage", "battery recycling", "pumped-storage hydropower")),
        _Sub("Pollution control", 1983, ("air-pollution control in northern cities", "river clean-up", "industrial waste-water treatment")),
        _Sub("Energy security", 1983, ("stable coal supply", "strategic oil reserves", "diversified energy imports")),
    )),
    _Root("Industry", "产业", "Manufacturing", "#8c564b", (("Industries", "实业"), ("Machinery", "机械"), ("Electronics", "电子")), (
        _Sub("Manufacturing upgrade", 1983, ("equipment upgrades in traditional factories", "quality standards for manufactured goods", "technical schools for factory workers")),
        _Sub("Industrial internet", 2018, ("industrial internet platforms", "the digital transformation of small factories", "industrial data standards")),
        _Sub("Robotics", 2014, ("industrial robot makers", "service robots in hospitals", "robotics research centres")),
        _Sub("Supply chains", 2019, ("supply-chain resilience", "domestic sourcing of key components", "port and shipping capacity")),
        _Sub("State-owned enterprise reform", 1983, ("mixed-ownership reform", "the governance of state firms", "the restructuring of loss-making state firms")),
    )),
    _Root("Finance and tax", "金融与税收", "Finance", "#bcbd22", (("Bank", "银行"), ("Securities", "证券"), ("Capital", "资本")), (
        _Sub("Capital markets", 1991, ("registration-based IPOs", "protections for small investors", "bond-market access for private firms")),
        _Sub("Fintech", 2015, ("fintech regulatory sandboxes", "oversight of online lending", "credit scoring with alternative data")),
        _Sub("SME finance", 1998, ("bank loans for small businesses", "credit guarantees for start-ups", "prompt payment of SME invoices")),
        _Sub("Tax reform", 1983, ("the personal income-tax threshold", "R&D tax deductions", "VAT cuts for manufacturers")),
        _Sub("Digital currency", 2020, ("digital-yuan pilots", "digital-yuan wallets for visitors", "cross-border digital-currency settlement")),
    )),
    _Root("Society", "社会民生", "Healthcare", "#e377c2", (("Pharmaceutical", "医药"), ("Medical", "医疗"), ("Education", "教育")), (
        _Sub("Education", 1983, ("teacher pay in rural schools", "vocational education", "digital classrooms")),
        _Sub("Healthcare", 1983, ("internet hospitals", "rural clinics", "medical insurance coverage")),
        _Sub("Elderly care", 2000, ("community elderly care", "age-friendly apps", "long-term care insurance")),
        _Sub("Employment", 1983, ("jobs for college graduates", "skills training for migrant workers", "unemployment insurance")),
        _Sub("Rural revitalisation", 2017, ("rural tourism", "farm mechanisation", "village roads and broadband")),
    )),
    _Root("Law and governance", "法治与治理", "Professional services", "#7f7f7f", (("Consulting", "咨询"), ("Law Firm", "律师事务所"), ("Certification", "认证")), (
        _Sub("Legislation", 1983, ("a law on the private economy", "updates to the company law", "clearer administrative procedures")),
        _Sub("Intellectual property", 1990, ("patent protection", "faster trademark examination", "damages for IP infringement")),
        _Sub("Market regulation", 1993, ("fair-competition reviews", "product safety recalls", "credit records for businesses")),
        _Sub("Open government", 2008, ("online government services", "open government data", "one-stop business registration")),
        _Sub("Standards", 1990, ("national technical standards", "international standard-setting", "standards for smart-home devices")),
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


@dataclass(frozen=True)
class GenerationPlan:
    """How much to generate, and from which seed."""

    proposals: int
    seed: int = 0
    first_year: int = DEFAULT_FIRST_YEAR
    last_year: int = DEFAULT_LAST_YEAR
    npc_size: int = NPC_SIZE
    cppcc_size: int = CPPCC_SIZE
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        if self.proposals < 1:
            raise ValueError("Generate at least one proposal.")
        if not MODERN_TERMS_START <= self.first_year <= self.last_year <= 2100:
            raise ValueError(
                f"Years must satisfy {MODERN_TERMS_START} <= first year <= last year <= 2100."
            )
        if self.npc_size < 1 or self.cppcc_size < 1:
            raise ValueError("Each body needs at least one seat.")
        if self.batch_size < 1:
            raise ValueError("The batch size must be positive.")

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


@dataclass
class _Member:
    """A generated delegate, kept for as long as they may hold seats."""

    id: int
    name: str
    name_zh: str
    activity: float  # relative filing rate: most file a few, a few file dozens
    focus: int  # index of the root topic they file on most
    delegations: dict[str, str] = field(default_factory=dict)


ProposalSource = Proposal.sources.through
# The models that generated data lives in, in a fixed order for reports and removal.
COUNTED_MODELS: tuple[type[models.Model], ...] = (
    AnnualSession,
    Topic,
    Company,
    Delegate,
    Affiliation,
    Seat,
    Source,
    Proposal,
    ProposalTopic,
    ProposalSource,
)
# Tables whose ids we assign ourselves; locked while generating on PostgreSQL.
_ID_ASSIGNED = (Topic, Company, Delegate, Source, Proposal)


def _rng(seed: int, *labels: object) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`, so streams are stable across runs
    # and Python processes (unlike hash()). Demo data, not secrets: S311 does not apply.
    return random.Random(":".join(str(part) for part in (seed, *labels)))  # noqa: S311


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def term_of(year: int) -> tuple[int, int]:
    """(term number, session number within the term) of a year's two sessions."""
    offset = year - MODERN_TERMS_START
    return FIRST_TERM_NUMBER + offset // TERM_YEARS, offset % TERM_YEARS + 1


def yearly_counts(plan: GenerationPlan) -> dict[int, int]:
    """Proposals per year: about N / years each, within 10%, summing to exactly N."""
    rng = _rng(plan.seed, "years")
    weights = [1 + rng.uniform(-0.1, 0.1) for _ in plan.years]
    total = sum(weights)
    shares = [plan.proposals * w / total for w in weights]
    counts = [math.floor(s) for s in shares]
    # Largest remainders take the leftover units, so the total is exact.
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: plan.proposals - sum(counts)]:
        counts[i] += 1
    return dict(zip(plan.years, counts, strict=True))


class _TableWriter:
    """Buffers rows for one table and writes them in one statement per flush."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.columns = [meta.get_field(name).column for name in fields]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        adapters: list[Callable[[Any], Any] | None] = []
        for name in fields:
            model_field = meta.get_field(name)
            if isinstance(model_field, models.DateTimeField):
                adapters.append(connection.ops.adapt_datetimefield_value)
            elif isinstance(model_field, models.DateField):
                adapters.append(connection.ops.adapt_datefield_value)
            else:
                adapters.append(None)
        self.adapters = adapters if any(adapters) else None

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def flush(self, cursor: Any) -> None:
        if not self.rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in self.rows)
            buffer.seek(0)
            # COPY is several times faster than INSERT for large batches.
            cursor.copy_expert(f"COPY {quote(self.table)} ({columns}) FROM STDIN", buffer)
        else:
            rows: Iterable[tuple[Any, ...]] = self.rows
            if self.adapters:
                adapters = self.adapters
                rows = (
                    tuple(
                        a(v) if a and v is not None else v
                        for a, v in zip(adapters, row, strict=True)
                    )
                    for row in self.rows
                )
            marks = ", ".join(["%s"] * len(self.columns))
            # Identifiers come from model metadata; every value is a parameter.
            sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)
        self.written += len(self.rows)
        self.rows.clear()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if isinstance(value, str):
        # Generated text almost never needs escaping, and the substring tests run in C:
        # translating every string costs more than generating it.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class _Ids:
    """The next free primary key of each table whose ids we assign."""

    def __init__(self) -> None:
        self.next = {
            model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            for model in _ID_ASSIGNED
        }

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class _Generator:
    def __init__(
        self,
        plan: GenerationPlan,
        cursor: Any,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.plan = plan
        self.cursor = cursor
        self.progress = progress
        self.ids = _Ids()
        self.sessions = _TableWriter(
            AnnualSession,
            ["year", "npc_session", "cppcc_session", "opens_on", "closes_on", "is_generated"],
        )
        self.topics = _TableWriter(
            Topic, ["id", "name", "slug", "description", "parent", "color", "is_generated"]
        )
        self.companies = _TableWriter(
            Company, ["id", "name", "name_zh", "slug", "sector", "website", "is_generated"]
        )
        self.delegates = _TableWriter(
            Delegate, ["id", "name", "other_names", "name_zh", "slug", "bio", "is_generated"]
        )
        self.affiliations = _TableWriter(
            Affiliation, ["delegate", "company", "role", "start_year", "end_year"]
        )
        self.seats = _TableWriter(Seat, ["delegate", "session", "body", "delegation", "citation"])
        self.sources = _TableWriter(
            Source, ["id", "url", "title", "publisher", "published_on", "is_generated"]
        )
        self.proposals = _TableWriter(
            Proposal,
            [
                "id", "session", "delegate", "body", "title", "summary", "status",
                "created_at", "updated_at", "is_generated",
            ],
        )  # fmt: skip
        self.proposal_topics = _TableWriter(ProposalTopic, ["proposal", "topic"])
        self.proposal_sources = _TableWriter(ProposalSource, ["proposal", "source"])
        # Parents before children, referenced rows before the rows pointing at them.
        self.writers = (
            self.sessions,
            self.topics,
            self.companies,
            self.delegates,
            self.affiliations,
            self.seats,
            self.sources,
            self.proposals,
            self.proposal_topics,
            self.proposal_sources,
        )
        # Sub-topics in TOPIC_TREE order: id, spec, root index, and popularity terms.
        self.sub_ids: list[int] = []
        self.subs: list[_Sub] = [sub for root in TOPIC_TREE for sub in root.children]
        self.sub_root: list[int] = [i for i, r in enumerate(TOPIC_TREE) for _ in r.children]
        self.sub_base: list[float] = []
        self.sub_drift: list[float] = []
        self.company_ids: list[list[int]] = [[] for _ in TOPIC_TREE]  # per sector (root)
        self.members: dict[str, list[_Member]] = {Body.NPC: [], Body.CPPCC: []}
        self.delegate_count = 0
        self.source_count = 0

    # --- Orchestration ---------------------------------------------------------------

    def run(self) -> None:
        self._add_sessions()
        self._add_topics()
        self._add_companies()
        self._flush()
        counts = yearly_counts(self.plan)
        for year in self.plan.years:
            if year == self.plan.first_year or term_of(year)[1] == 1:
                self._seat_new_term(year)
            self._add_seats(year)
            self._add_proposals(year, counts[year])
        self._flush()

    def _flush(self) -> None:
        for writer in self.writers:
            writer.flush(self.cursor)

    # --- Sessions, topics, companies -------------------------------------------------

    def _add_sessions(self) -> None:
        existing = set(
            AnnualSession.objects.filter(year__in=self.plan.years).values_list("year", flat=True)
        )
        for year in self.plan.years:
            rng = _rng(self.plan.seed, "session", year)
            # The CPPCC opens around 3 March and the NPC closes a week or so later.
            opens = date(year, 3, 3)
            closes = opens + timedelta(days=rng.randint(7, 12))
            if year in existing:
                continue  # a real session: reused as it is, never flagged or changed
            term, number = term_of(year)
            self.sessions.add(
                (
                    year,
                    f"{_ordinal(term)} NPC, {_ordinal(number)} session",
                    f"{_ordinal(term)} CPPCC, {_ordinal(number)} session",
                    opens,
                    closes,
                    True,
                )
            )

    def _add_topics(self) -> None:
        child_index = 0
        for root in TOPIC_TREE:
            root_id = self.ids.take(Topic)
            self.topics.add(
                (
                    root_id,
                    root.name + DEMO_MARK,
                    SLUG_PREFIX + slugify(root.name),
                    f"Generated demo topic ({root.name_zh}).",
                    None,
                    root.color,
                    True,
                )
            )
            for sub in root.children:
                sub_id = self.ids.take(Topic)
                self.topics.add(
                    (
                        sub_id,
                        sub.name + DEMO_MARK,
                        SLUG_PREFIX + slugify(sub.name),
                        f"Generated demo topic, in proposals from {sub.intro} on.",
                        root_id,
                        SUBTOPIC_PALETTE[child_index % len(SUBTOPIC_PALETTE)],
                        True,
                    )
                )
                self.sub_ids.append(sub_id)
                child_index += 1
        rng = _rng(self.plan.seed, "topic-popularity")
        # A long tail: the k-th most popular topic gets weight 1 / k^1.1. Which topic
        # is popular, and how it drifts over the decades, depends on the seed.
        ranks = list(range(1, len(self.sub_ids) + 1))
        rng.shuffle(ranks)
        self.sub_base = [rank**-1.1 for rank in ranks]
        self.sub_drift = [rng.uniform(-0.05, 0.05) for _ in self.sub_ids]

    def _add_companies(self) -> None:
        rng = _rng(self.plan.seed, "companies")
        count = max(len(TOPIC_TREE), (self.plan.npc_size + self.plan.cppcc_size) // 3)
        brands = [(a, b) for a in BRAND_SYLLABLES for b in BRAND_SYLLABLES if a != b]
        combos = [
            (brand, root_index, kind)
            for brand in brands
            for root_index, root in enumerate(TOPIC_TREE)
            for kind in root.kinds
        ]
        names: set[str] = set()
        for (first, second), root_index, (kind, kind_zh) in rng.sample(
            combos, min(count, len(combos))
        ):
            name = f"{first[0]}{second[0].lower()} {kind}"
            if name in names:
                continue  # two syllable pairs that spell the same word
            names.add(name)
            company_id = self.ids.take(Company)
            self.companies.add(
                (
                    company_id,
                    name + DEMO_MARK,
                    first[1] + second[1] + kind_zh,
                    SLUG_PREFIX + slugify(name),
                    TOPIC_TREE[root_index].sector,
                    f"https://{slugify(name)}.{SOURCE_DOMAIN}/",
                    True,
                )
            )
            self.company_ids[root_index].append(company_id)

    # --- Delegates and seats ---------------------------------------------------------

    def _seat_new_term(self, year: int) -> None:
        """Seat a new term: many members re-elected, a few switching body, the rest new."""
        rng = _rng(self.plan.seed, "term", year)
        sizes = {Body.NPC: self.plan.npc_size, Body.CPPCC: self.plan.cppcc_size}
        starts_mid_term = not self.members[Body.NPC] and term_of(year)[1] != 1
        retained: dict[str, list[_Member]] = {}
        leavers: dict[str, list[_Member]] = {}
        for body, previous in self.members.items():
            kept = rng.sample(previous, round(len(previous) * REELECTED_SHARE))
            kept_ids = {m.id for m in kept}
            retained[body] = kept
            leavers[body] = [m for m in previous if m.id not in kept_ids]
        new_members: dict[str, list[_Member]] = {}
        for body, other in ((Body.NPC, Body.CPPCC), (Body.CPPCC, Body.NPC)):
            switching = rng.sample(
                leavers[other], min(len(leavers[other]), round(sizes[body] * BODY_SWITCH_SHARE))
            )
            members = retained[body] + switching
            while len(members) < sizes[body]:
                members.append(self._new_delegate(rng, body, year, starts_mid_term))
            for member in members:
                if body not in member.delegations:
                    pool = PROVINCES if body == Body.NPC else CPPCC_SECTORS
                    member.delegations[body] = rng.choice(pool)
            new_members[body] = members[: sizes[body]]
        self.members = new_members

    def _new_delegate(
        self, rng: random.Random, body: str, year: int, starts_mid_term: bool
    ) -> _Member:
        self.delegate_count += 1
        delegate_id = self.ids.take(Delegate)
        surname, surname_zh = rng.choices(SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS, k=1)[0]
        syllables = rng.sample(GIVEN_SYLLABLES, 1 if rng.random() < 0.3 else 2)
        given = "".join(s for s, _ in syllables).capitalize()
        name = f"{surname} {given}"
        name_zh = surname_zh + "".join(c for _, c in syllables)
        role = "an NPC deputy" if body == Body.NPC else "a CPPCC member"
        since = "in office when the record begins" if starts_mid_term else f"first seated {year}"
        bio = f"Generated demo delegate: {role}, {since}."
        self.delegates.add(
            (
                delegate_id,
                name,
                "",
                name_zh,
                f"{SLUG_PREFIX}{slugify(name)}-{self.delegate_count}",
                bio,
                True,
            )
        )
        focus = rng.randrange(len(TOPIC_TREE))
        if rng.random() < AFFILIATED_SHARE and self.company_ids[focus]:
            # Entrepreneurs file on their own industry: the company's sector is their field.
            company_id = rng.choice(self.company_ids[focus])
            start = year - rng.randint(0, 12)
            self.affiliations.add(
                (delegate_id, company_id, rng.choice(ROLES), max(start, 1949), None)
            )
            if rng.random() < 0.15:
                other_root = rng.randrange(len(TOPIC_TREE))
                if self.company_ids[other_root]:
                    # An earlier role elsewhere, closed before the current one began.
                    earlier_end = max(start - 1, 1949)
                    self.affiliations.add(
                        (
                            delegate_id,
                            rng.choice(self.company_ids[other_root]),
                            rng.choice(ROLES),
                            max(earlier_end - rng.randint(2, 10), 1949),
                            earlier_end,
                        )
                    )
        # Log-normal filing rates, capped: most file a few a year, a few file dozens.
        activity = min(rng.lognormvariate(0.0, 1.0), 12.0) if rng.random() > 0.1 else 0.05
        return _Member(delegate_id, name, name_zh, activity, focus)

    def _add_seats(self, year: int) -> None:
        for body, members in self.members.items():
            for member in members:
                self.seats.add((member.id, year, body, member.delegations[body], ""))

    # --- Proposals -------------------------------------------------------------------

    def _topic_weights(self, year: int) -> list[float]:
        weights = []
        for base, drift, sub in zip(self.sub_base, self.sub_drift, self.subs, strict=True):
            intro = sub.intro
            if year < intro:
                weights.append(0.0)
                continue
            # New topics ramp up over their first three years, then follow their drift.
            ramp = min(1.0, (year - intro + 1) / 3)
            trend = math.exp(drift * (year - 2004))
            # A topic that only appears lately is a hot one: it enters near the top.
            hot = 4.0 if intro >= 2014 else 1.0
            weights.append(base * trend * ramp * hot)
        return weights

    def _add_proposals(self, year: int, count: int) -> None:
        if count == 0:
            return
        rng = _rng(self.plan.seed, "proposals", year)
        seated = [(m, body) for body, members in self.members.items() for m in members]
        cum_activity = list(accumulate(m.activity for m, _ in seated))
        weights = self._topic_weights(year)
        cum_topics = list(accumulate(weights))
        # Per field: the cumulative weights of that root's sub-topics, for focused picks.
        by_root: list[tuple[list[int], list[float]]] = []
        for root_index in range(len(TOPIC_TREE)):
            members = [i for i, r in enumerate(self.sub_root) if r == root_index and weights[i]]
            by_root.append((members, list(accumulate(weights[i] for i in members))))
        statuses = LATEST_STATUS_WEIGHTS if year == self.plan.last_year else PAST_STATUS_WEIGHTS
        status_values = list(statuses)
        status_cum = list(accumulate(statuses.values()))
        topic_k_cum = list(accumulate(TOPIC_COUNT_WEIGHTS))
        source_k_cum = list(accumulate(SOURCE_COUNT_WEIGHTS))
        stamp = datetime(year, 3, 15, 4, 0, tzinfo=UTC)
        titles: dict[int, set[str]] = {}
        # A news page covers several proposals in its field: one open article per root,
        # replaced once it has covered its share.
        open_source: dict[int, list[int]] = {}
        year_sources: list[int] = []
        n_subs = len(self.sub_ids)

        drawn = rng.choices(range(len(seated)), cum_weights=cum_activity, k=count)
        for index, who in enumerate(drawn):
            member, body = seated[who]
            proposal_id = self.ids.take(Proposal)

            k = bisect(topic_k_cum, rng.random() * topic_k_cum[-1]) + 1
            chosen: list[int] = []
            subs, cum = by_root[member.focus]
            if subs and rng.random() < FOCUS_SHARE:
                chosen.append(subs[bisect(cum, rng.random() * cum[-1])])
            while len(chosen) < k:
                pick = min(bisect(cum_topics, rng.random() * cum_topics[-1]), n_subs - 1)
                if pick not in chosen:
                    chosen.append(pick)
            first = chosen[0]
            root = TOPIC_TREE[self.sub_root[first]]
            phrase = rng.choice(self.subs[first].phrases)
            # Titles are unique per delegate and session: draw again on a repeat, and
            # number the title in the unlikely case that the draws keep repeating.
            seen = titles.setdefault(member.id, set())
            for _ in range(10):
                verb = rng.choice(VERBS)
                qualifier = rng.choice(QUALIFIERS).format(target=year + rng.randint(3, 10))
                title = f"{verb} {phrase}{qualifier}"
                if title not in seen:
                    break
            number = 2
            while title in seen:
                title = f"{verb} {phrase}{qualifier} (no. {number})"
                number += 1
            seen.add(title)

            noun = Body(body).member_noun
            delegation = member.delegations[body]
            where = (
                f"a deputy from the {delegation} delegation"
                if body == Body.NPC
                else f"a CPPCC member ({delegation})"
            )
            summary = " ".join(
                (
                    f"{member.name} ({member.name_zh}), {where}, asked the government to "
                    f"{verb[0].lower()}{verb[1:]} {phrase}{qualifier}.",
                    rng.choice(RATIONALES).format(
                        member=noun,
                        phrase=phrase,
                        root=_in_sentence(root.name),
                        filing=Body(body).filing_noun,
                    ),
                    rng.choice(MEASURES),
                )
            )
            status = status_values[bisect(status_cum, rng.random() * status_cum[-1])]
            created = stamp + timedelta(seconds=index)
            self.proposals.add(
                (
                    proposal_id, year, member.id, body, title, summary, status,
                    created, created, True,
                )
            )  # fmt: skip
            for topic_index in chosen:
                self.proposal_topics.add((proposal_id, self.sub_ids[topic_index]))

            root_index = self.sub_root[first]
            article = open_source.get(root_index)
            if article is None or article[1] <= 0:
                article = [self._new_source(rng, year, member, root), _article_size(rng)]
                open_source[root_index] = article
                year_sources.append(article[0])
            article[1] -= 1
            linked = [article[0]]
            extra = bisect(source_k_cum, rng.random() * source_k_cum[-1])
            for _ in range(extra):
                # A round-up of the whole session, cited beside the field's article.
                other = rng.choice(year_sources)
                if other not in linked:
                    linked.append(other)
            for source_id in linked:
                self.proposal_sources.add((proposal_id, source_id))

            if len(self.proposals.rows) >= self.plan.batch_size:
                self._flush_proposals()
        self._flush_proposals()

    def _flush_proposals(self) -> None:
        self._flush()
        if self.progress:
            self.progress(self.proposals.written, self.plan.proposals)

    def _new_source(self, rng: random.Random, year: int, member: _Member, root: _Root) -> int:
        self.source_count += 1
        source_id = self.ids.take(Source)
        publisher, host = rng.choice(OUTLETS)
        published = date(year, 3, rng.randint(2, 15))
        fields = {
            "year": year,
            "name": member.name,
            "name_zh": member.name_zh,
            "root": root.name,
            "root_lower": _in_sentence(root.name),
            "root_zh": root.name_zh,
        }
        chinese = any("\u4e00" <= ch <= "\u9fff" for ch in publisher)
        template = rng.choice(ZH_SOURCE_TITLES if chinese else EN_SOURCE_TITLES)
        url = (
            f"https://{host}.{SOURCE_DOMAIN}/{year}/{published:%m%d}/"
            f"two-sessions-{self.source_count}.html"
        )
        self.sources.add((source_id, url, template.format(**fields), publisher, published, True))
        return source_id


def _in_sentence(name: str) -> str:
    """A name as it reads mid-sentence: "Mobility" -> "mobility", "AI and computing" stays."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


_SURNAME_CUM_WEIGHTS = list(accumulate(1 / (rank + 1) for rank in range(len(SURNAMES))))


def _article_size(rng: random.Random) -> int:
    # Most pages report a handful of proposals; a few round-ups cite a hundred or more.
    return min(int(rng.paretovariate(1.2) * 4), 300)


# --- Public API ------------------------------------------------------------------------


def generated_counts() -> dict[str, int]:
    """Rows of generated data per model, including the link rows that belong to them."""
    return {
        AnnualSession._meta.label: AnnualSession.objects.filter(is_generated=True).count(),
        Topic._meta.label: Topic.objects.filter(is_generated=True).count(),
        Company._meta.label: Company.objects.filter(is_generated=True).count(),
        Delegate._meta.label: Delegate.objects.filter(is_generated=True).count(),
        Affiliation._meta.label: Affiliation.objects.filter(delegate__is_generated=True).count(),
        Seat._meta.label: Seat.objects.filter(delegate__is_generated=True).count(),
        Source._meta.label: Source.objects.filter(is_generated=True).count(),
        Proposal._meta.label: Proposal.objects.filter(is_generated=True).count(),
        ProposalTopic._meta.label: ProposalTopic.objects.filter(
            proposal__is_generated=True
        ).count(),
        ProposalSource._meta.label: ProposalSource.objects.filter(
            proposal__is_generated=True
        ).count(),
    }


def has_generated_data() -> bool:
    """Whether any flagged record exists (seats and links only exist beside one)."""
    return any(
        model.objects.filter(is_generated=True).exists()
        for model in (Proposal, Delegate, Source, Topic, Company, AnnualSession)
    )


def generate_demo_data(
    *,
    plan: GenerationPlan,
    progress: Callable[[int, int], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write one generated dataset and return the rows written per model.

    Call inside `transaction.atomic()`: the tables are locked and the ids assigned for
    the duration of the transaction, and a failure must leave nothing behind.
    `progress(done, total)` is called after each batch of proposals, and `notify(text)`
    announces the long step after the last one.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Nobody else may insert into a table whose ids we are handing out.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _ID_ASSIGNED)
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        generator = _Generator(plan, cursor, progress)
        generator.run()
        for sql in connection.ops.sequence_reset_sql(no_style(), list(_ID_ASSIGNED)):
            cursor.execute(sql)
    if notify:
        notify("Checking every reference (the database does this once for all rows)...")
    # Foreign keys are checked at commit; check now, so a failure is reported here.
    connection.check_constraints()
    written = {writer.table: writer.written for writer in generator.writers}
    return {model._meta.label: written[model._meta.db_table] for model in COUNTED_MODELS}


def remove_demo_data(*, batch_size: int = 50_000) -> dict[str, int]:
    """Delete every generated record and what belongs to it; return rows deleted per model.

    Deletes children before parents in id ranges of `batch_size`, with plain DELETE
    statements (no per-row signals), so that a million proposals go in bounded time and
    memory. Call inside `transaction.atomic()`. A real record that points at generated
    data (say, a real proposal tagged with a generated topic) makes the database refuse,
    and the transaction then leaves everything as it was.
    """
    deleted = dict.fromkeys((m._meta.label for m in COUNTED_MODELS), 0)
    source_delegates = Source.delegates.through
    source_companies = Source.companies.through
    # Each generated parent with the rows that point at it: (model, field naming the parent).
    order: list[tuple[type[models.Model], list[tuple[type[models.Model], str]]]] = [
        (Proposal, [(ProposalTopic, "proposal"), (ProposalSource, "proposal")]),
        (Source, [(source_delegates, "source"), (source_companies, "source")]),
        (Delegate, [(Seat, "delegate"), (Affiliation, "delegate"), (source_delegates, "delegate")]),
        (Company, [(source_companies, "company")]),
    ]
    with connection.cursor() as cursor:
        for parent, children in order:
            for low, high in _generated_id_ranges(parent, batch_size):
                for child, field_name in children:
                    count = _delete(cursor, child, field_name, parent, low, high)
                    if child._meta.label in deleted:
                        deleted[child._meta.label] += count
                deleted[parent._meta.label] += _delete(cursor, parent, "id", parent, low, high)
        # Sub-topics first: a root is protected by its children.
        for roots in (False, True):
            count, _ = Topic.objects.filter(is_generated=True, parent__isnull=roots).delete()
            deleted[Topic._meta.label] += count
        # A generated session that a real record has since used stays.
        unused = (
            AnnualSession.objects.filter(is_generated=True)
            .exclude(Exists(Seat.objects.filter(session=OuterRef("pk"))))
            .exclude(Exists(Proposal.objects.filter(session=OuterRef("pk"))))
        )
        count, _ = AnnualSession.objects.filter(
            pk__in=list(unused.values_list("pk", flat=True))
        ).delete()
        deleted[AnnualSession._meta.label] = count
    # Foreign keys are checked at commit; check now, so a refusal names its cause here.
    connection.check_constraints()
    return deleted


def _generated_id_ranges(model: type[models.Model], size: int) -> Iterable[tuple[int, int]]:
    bounds = model.objects.filter(is_generated=True).aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for low in range(bounds["low"], bounds["high"] + 1, size):
        yield low, low + size


def _delete(
    cursor: Any,
    model: type[models.Model],
    field_name: str,
    parent: type[models.Model],
    low: int,
    high: int,
) -> int:
    """Delete `model` rows whose `field_name` is a generated `parent` id in [low, high)."""
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column
    parent_table = quote(parent._meta.db_table)
    # Identifiers come from model metadata; the bounds are parameters.
    sql = (
        f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN "  # noqa: S608
        f"(SELECT id FROM {parent_table} WHERE is_generated AND id >= %s AND id < %s)"
    )
    cursor.execute(sql, [low, high])
    return cursor.rowcount
