"""A generated, labelled lost-property data set for the matching benchmark (deterministic seed).

Each owned item has a category, a colour, perhaps a brand, a kind ("backpack") and several
features. Found items are registered by desk staff, mostly in Chinese, with some features and
sometimes without the brand or the colour; lost reports are written by the owner in Chinese,
English or Traditional Chinese, naming other features, sometimes a neighbouring colour, a
misspelt word, the wrong floor, a loss time a day off. Distractor found items come from the
same generator, on the same days and in the same categories: most candidates look alike.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.lostfound.matching import ItemFacts

SEED = 20261123
LEVELS = ("B1", "1F", "2F", "3F", "4F")
STORES_PER_LEVEL = 12
DAYS = 60
START = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)

COLOURS = {
    "black": ("黑色", "black"), "white": ("白色", "white"), "grey": ("灰色", "grey"),
    "red": ("红色", "red"), "pink": ("粉色", "pink"), "blue": ("蓝色", "blue"),
    "green": ("绿色", "green"), "brown": ("棕色", "brown"), "beige": ("米色", "beige"),
    "gold": ("金色", "gold"), "silver": ("银色", "silver"), "yellow": ("黄色", "yellow"),
    "purple": ("紫色", "purple"),
}
CONFUSED = {"black": "grey", "grey": "silver", "silver": "grey", "brown": "beige", "beige": "white",
            "gold": "yellow", "red": "pink", "pink": "red", "blue": "purple", "white": "beige"}

# category → (kinds as (zh, en), brands as (zh, en), features as (zh, en))
CATALOGUE: dict[str, tuple[list, list, list]] = {
    "phone": (
        [("手机", "phone"), ("智能手机", "smartphone")],
        [("苹果", "Apple"), ("华为", "Huawei"), ("小米", "Xiaomi"), ("三星", "Samsung"), ("荣耀", "Honor"), ("OPPO", "OPPO"), ("vivo", "vivo")],
        [("透明手机壳", "clear case"), ("皮质手机壳", "leather case"), ("屏幕有裂痕", "cracked screen"),
         ("背面贴着猫咪贴纸", "cat sticker on the back"), ("挂着熊挂件", "bear charm hanging"), ("有挂绳", "with a lanyard"),
         ("后壳有划痕", "scratches on the back"), ("卡通手机壳", "cartoon cover"), ("粉色挂绳", "pink strap")],
    ),
    "wallet": (
        [("钱包", "wallet"), ("长款钱包", "long wallet"), ("短款钱包", "short wallet"), ("零钱包", "coin purse")],
        [("蔻驰", "Coach"), ("古驰", "Gucci"), ("路易威登", "LV"), ("迈克高仕", "Michael Kors"), ("无印良品", "Muji")],
        [("真皮", "leather"), ("有拉链", "zip around"), ("里面有现金", "some cash inside"), ("有几张银行卡", "bank cards inside"),
         ("夹着一张照片", "a photo inside"), ("边角磨损", "worn corners"), ("印花图案", "floral print"), ("有会员卡", "membership cards")],
    ),
    "keys": (
        [("钥匙", "keys"), ("一串钥匙", "bunch of keys"), ("车钥匙", "car key")],
        [("特斯拉", "Tesla"), ("宝马", "BMW"), ("丰田", "Toyota")],
        [("钥匙扣是小熊", "teddy bear keyring"), ("有门禁卡", "access fob"), ("三把钥匙", "three keys"), ("金属钥匙圈", "metal key ring"),
         ("挂着兔子挂件", "rabbit charm"), ("红色绳子", "red string"), ("家门钥匙", "house key"), ("有小手电", "small torch")],
    ),
    "bag": (
        [("双肩包", "backpack"), ("手提包", "handbag"), ("购物袋", "shopping bag"), ("帆布包", "canvas tote")],
        [("耐克", "Nike"), ("阿迪达斯", "Adidas"), ("珑骧", "Longchamp"), ("蔻驰", "Coach"), ("优衣库", "Uniqlo")],
        [("里面有笔记本电脑", "laptop inside"), ("有水杯", "water bottle inside"), ("拉链坏了", "broken zip"),
         ("挂着小熊挂件", "teddy bear charm"), ("肩带很长", "long strap"), ("里面有衣服", "clothes inside"),
         ("帆布材质", "canvas"), ("皮质", "leather"), ("有儿童书", "kids books inside")],
    ),
    "card": (
        [("银行卡", "bank card"), ("会员卡", "membership card"), ("交通卡", "transport card"), ("身份证", "ID card")],
        [("招商银行", "CMB"), ("工商银行", "ICBC"), ("上海公交", "Shanghai transit")],
        [("卡套是蓝色的", "blue card holder"), ("有姓名王芳", "name Wang Fang"), ("有姓名李明", "name Li Ming"),
         ("卡面有划痕", "scratched"), ("贴着贴纸", "sticker on it"), ("装在卡套里", "in a sleeve"), ("有姓名张伟", "name Zhang Wei")],
    ),
    "umbrella": (
        [("雨伞", "umbrella"), ("折叠伞", "folding umbrella"), ("长柄伞", "long umbrella")],
        [("天堂", "Paradise"), ("无印良品", "Muji")],
        [("波点图案", "polka dots"), ("条纹", "striped"), ("花朵图案", "floral pattern"), ("木头手柄", "wooden handle"),
         ("伞骨有一根断了", "one rib broken"), ("有伞套", "with its sleeve"), ("自动开合", "automatic"), ("透明", "transparent")],
    ),
    "clothing": (
        [("外套", "jacket"), ("围巾", "scarf"), ("帽子", "hat"), ("手套", "gloves"), ("羽绒服", "down coat")],
        [("优衣库", "Uniqlo"), ("ZARA", "Zara"), ("耐克", "Nike"), ("阿迪达斯", "Adidas")],
        [("羊毛", "wool"), ("针织", "knitted"), ("牛仔", "denim"), ("有帽子", "with a hood"), ("条纹", "striped"),
         ("口袋里有纸巾", "tissues in the pocket"), ("儿童尺码", "child size"), ("长款", "long"), ("格子", "checked")],
    ),
    "toy": (
        [("毛绒玩具", "soft toy"), ("玩具车", "toy car"), ("积木", "building blocks"), ("娃娃", "doll")],
        [("乐高", "Lego"), ("迪士尼", "Disney")],
        [("小熊", "teddy bear"), ("兔子", "rabbit"), ("穿着裙子", "wearing a dress"), ("有点旧", "a bit worn"),
         ("会发声", "makes sounds"), ("遥控", "remote control"), ("耳朵很长", "long ears"), ("戴着蝴蝶结", "with a bow")],
    ),
    "jewellery": (
        [("戒指", "ring"), ("项链", "necklace"), ("手链", "bracelet"), ("耳环", "earrings"), ("手表", "watch")],
        [("周大福", "Chow Tai Fook"), ("潘多拉", "Pandora"), ("施华洛世奇", "Swarovski"), ("卡西欧", "Casio")],
        [("金", "gold"), ("银", "silver"), ("珍珠", "pearl"), ("镶钻", "diamond"), ("刻着字母", "engraved letters"),
         ("心形吊坠", "heart pendant"), ("链子断了", "broken chain"), ("有盒子", "in a box")],
    ),
    "documents": (
        [("护照", "passport"), ("文件袋", "document folder"), ("笔记本", "notebook"), ("病历本", "medical record book")],
        [],
        [("有姓名陈静", "name Chen Jing"), ("有姓名刘洋", "name Liu Yang"), ("里面夹着发票", "receipts inside"),
         ("蓝色封面", "blue cover"), ("透明文件袋", "clear folder"), ("有合同", "contract inside"), ("外国护照", "foreign passport")],
    ),
    "other": (
        [("眼镜", "glasses"), ("耳机", "earphones"), ("保温杯", "flask"), ("书", "book"), ("墨镜", "sunglasses")],
        [("苹果", "Apple"), ("华为", "Huawei"), ("小米", "Xiaomi")],
        [("有眼镜盒", "with a case"), ("无线", "wireless"), ("黑框", "black frame"), ("金属框", "metal frame"),
         ("充电盒有划痕", "scratched charging case"), ("不锈钢", "stainless steel"), ("贴着名字", "name label")],
    ),
}
CATEGORY_WEIGHTS = {"phone": 16, "wallet": 12, "keys": 12, "bag": 10, "card": 10, "umbrella": 10,
                    "clothing": 10, "toy": 7, "jewellery": 5, "documents": 4, "other": 4}
TO_TRADITIONAL = str.maketrans("钱钥伞机链表装黄绿蓝红银灰儿带镜记证护贴壳旧坏划颜发园车书长条", "錢鑰傘機鏈錶裝黃綠藍紅銀灰兒帶鏡記證護貼殼舊壞劃顏發園車書長條")


@dataclass(frozen=True)
class OwnedItem:
    category: str
    colour: str
    brand: tuple[str, str] | None
    kind: tuple[str, str]
    features: tuple[tuple[str, str], ...]
    level: str
    store: str
    found_at: datetime


@dataclass(frozen=True)
class LabelledSet:
    found: list[ItemFacts]
    lost: list[ItemFacts]
    truth: dict[str, str]
    """Lost report key → the key of the found item that is really theirs."""


def _owned_item(rng: random.Random) -> OwnedItem:
    category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    kinds, brands, features = CATALOGUE[category]
    level = rng.choice(LEVELS)
    return OwnedItem(
        category=category,
        colour=rng.choice(list(COLOURS)),
        brand=rng.choice(brands) if brands and rng.random() < 0.7 else None,
        kind=rng.choice(kinds),
        features=tuple(rng.sample(features, rng.randint(2, 4))),
        level=level,
        store=f"{level}-{rng.randint(1, STORES_PER_LEVEL):02d}",
        found_at=START + timedelta(days=rng.random() * DAYS),
    )


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    index = rng.randrange(1, len(word) - 1)
    return word[:index] + word[index + 1:]


def _describe(rng: random.Random, item: OwnedItem, language: str, features, colour: str | None,
              brand: tuple[str, str] | None, owner: bool) -> str:
    if language == "en":
        words = [COLOURS[colour][1]] if colour else []
        if brand:
            words.append(brand[1])
        words.append(item.kind[1])
        text = " ".join(words)
        if features:
            text += ", " + ", ".join(f[1] for f in features)
        if rng.random() < 0.15:
            parts = text.split(" ")
            position = rng.randrange(len(parts))
            parts[position] = _typo(rng, parts[position])
            text = " ".join(parts)
        return (rng.choice(("", "Lost my ", "I lost a ")) if owner else "") + text
    text = (COLOURS[colour][0] if colour else "") + (brand[0] if brand else "") + item.kind[0]
    if features:
        text += "，" + "，".join(f[0] for f in features)
    text = (rng.choice(("", "丢了", "不见了一个")) if owner else "") + text
    return text.translate(TO_TRADITIONAL) if language == "zh_TW" else text


def _found_record(rng: random.Random, key: str, item: OwnedItem) -> ItemFacts:
    """What the desk registers: mostly Chinese, the features they notice, colour usually set."""
    language = "zh_CN" if rng.random() < 0.75 else "en"
    shown = list(rng.sample(item.features, rng.randint(1, len(item.features))))
    brand = item.brand if rng.random() < 0.8 else None
    colour_field = item.colour if rng.random() < 0.9 else ""
    return ItemFacts(
        key=key, category=item.category,
        text=_describe(rng, item, language, shown, item.colour if rng.random() < 0.5 else None, brand, owner=False),
        colour=colour_field, brand=(brand[rng.random() < 0.5] if brand else ""),
        at=item.found_at, level_id=item.level, store_id=item.store if rng.random() < 0.6 else "",
    )


def _lost_record(rng: random.Random, key: str, item: OwnedItem) -> ItemFacts:
    """What the owner reports: their language, the features they remember, rough time and place."""
    language = rng.choices(("zh_CN", "en", "zh_TW"), weights=(5, 4, 1))[0]
    remembered = list(rng.sample(item.features, rng.randint(1, len(item.features))))
    colour = item.colour
    if rng.random() < 0.15:
        colour = CONFUSED.get(colour, colour)
    colour_field = colour if rng.random() < 0.85 else ""
    brand = item.brand if rng.random() < 0.7 else None
    lost_at = item.found_at - timedelta(hours=rng.uniform(-6, 36))
    roll = rng.random()
    if roll < 0.55:
        level, store = item.level, (item.store if rng.random() < 0.5 else "")
    elif roll < 0.8:
        level, store = rng.choice(LEVELS), ""
    else:
        level, store = "", ""
    return ItemFacts(
        key=key, category=item.category,
        text=_describe(rng, item, language, remembered, colour if rng.random() < 0.6 else None, brand, owner=True),
        colour=colour_field, brand=(brand[1 if language == "en" else 0] if brand and rng.random() < 0.5 else ""),
        at=lost_at, level_id=level, store_id=store,
    )


def generate(found_count: int = 2000, lost_count: int = 500, seed: int = SEED) -> LabelledSet:
    """`found_count` found items, of which `lost_count` have a lost report by their owner."""
    if lost_count > found_count:
        raise ValueError("every lost report needs its found item")
    rng = random.Random(seed)
    owned = [_owned_item(rng) for _ in range(found_count)]
    found = [_found_record(rng, f"F{index:05d}", item) for index, item in enumerate(owned)]
    reported = rng.sample(range(found_count), lost_count)
    lost, truth = [], {}
    for number, index in enumerate(reported):
        key = f"L{number:05d}"
        lost.append(_lost_record(rng, key, owned[index]))
        truth[key] = found[index].key
    return LabelledSet(found=found, lost=lost, truth=truth)
