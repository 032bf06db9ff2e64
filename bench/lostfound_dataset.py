"""A generated, labelled lost-property data set for the matching benchmark (deterministic seed).

The point is to be honest about how the desk and the owner describe the same thing:

* every feature, kind and colour has several wordings in each language ("屏幕碎了" /
  "屏幕有裂痕" / "cracked screen" / "the screen is broken"), and the desk and the owner pick
  theirs independently, so two Chinese descriptions of one phone rarely share a whole phrase;
* the desk registers what it sees (terse, mostly in Chinese, sometimes in English); the owner
  writes in their own language (Simplified Chinese, English, or Traditional Chinese converted
  with OpenCC's Taiwan phrasing, so 屏幕 becomes 螢幕), chattily, with where and what they were
  doing, and remembers things the desk never wrote (what is inside, a sticker under the case);
* owners misremember colours (navy said black), leave fields empty, misspell English words,
  name the wrong floor, give the loss time by the kiosk's rough choices or not at all, and some
  items are handed in days later;
* brands come in both scripts, including brands with no common English-Chinese pairing in a
  general dictionary (蔻驰 / Coach), as in real malls;
* the distractors are the other found items of the same category in the same weeks: most look
  alike, and many share the common features.

This file was written from how lost-property offices describe items, not from the matcher:
the matcher (`server/lostfound/matching.py`) holds no list of these words; its only bilingual
knowledge is the CC-CEDICT dictionary. The benchmark prints how much of this vocabulary that
dictionary covers, so a reader can judge.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from server.lostfound.matching import ItemFacts

SEED = 20261123
"""The seed the matcher was developed against (its weights were looked at with this set)."""
HANDWRITTEN = Path(__file__).resolve().parent / "lostfound_handwritten.json"
LEVELS = ("B1", "1F", "2F", "3F", "4F")
STORES_PER_LEVEL = 12
DAYS = 60
START = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)

Phrase = tuple[tuple[str, ...], tuple[str, ...]]
"""(Chinese wordings, English wordings) of one thing."""

COLOURS: dict[str, Phrase] = {
    "black": (("黑色", "黑", "纯黑色"), ("black", "dark")),
    "white": (("白色", "白", "乳白色"), ("white", "off-white")),
    "grey": (("灰色", "深灰色", "浅灰"), ("grey", "gray", "dark grey")),
    "red": (("红色", "大红色", "酒红色"), ("red", "wine red")),
    "pink": (("粉色", "粉红色", "浅粉"), ("pink", "light pink")),
    "blue": (("蓝色", "深蓝色", "藏青色"), ("blue", "navy", "dark blue")),
    "green": (("绿色", "墨绿色", "军绿色"), ("green", "dark green", "olive")),
    "brown": (("棕色", "咖啡色", "褐色"), ("brown", "tan", "coffee coloured")),
    "beige": (("米色", "米白色", "卡其色"), ("beige", "cream", "khaki")),
    "gold": (("金色", "香槟色"), ("gold", "golden", "champagne")),
    "silver": (("银色", "银灰色"), ("silver", "silvery")),
    "yellow": (("黄色", "鹅黄色"), ("yellow", "mustard")),
    "purple": (("紫色", "淡紫色"), ("purple", "lilac")),
}
CONFUSED = {"black": "blue", "blue": "black", "grey": "silver", "silver": "grey", "brown": "beige",
            "beige": "white", "gold": "yellow", "red": "pink", "pink": "red", "white": "beige",
            "purple": "blue", "green": "grey"}
"""What an owner may call the colour instead (navy seen as black, champagne as yellow)."""


@dataclass(frozen=True)
class Category:
    kinds: tuple[Phrase, ...]
    brands: tuple[tuple[str, str], ...]
    visible: tuple[Phrase, ...]
    """What anyone holding the item can see."""
    inside: tuple[Phrase, ...]
    """What the owner knows and the desk rarely writes down (contents, hidden marks)."""


def P(chinese: str, english: str) -> Phrase:  # noqa: N802 - reads like a table
    return tuple(chinese.split("|")), tuple(english.split("|"))


CATALOGUE: dict[str, Category] = {
    "phone": Category(
        kinds=(P("手机|智能手机", "phone|mobile phone|smartphone|mobile"),),
        brands=(("苹果", "Apple"), ("华为", "Huawei"), ("小米", "Xiaomi"), ("三星", "Samsung"), ("荣耀", "Honor"),
                ("OPPO", "OPPO"), ("vivo", "vivo"), ("一加", "OnePlus")),
        visible=(P("透明手机壳|透明壳|套着透明的壳", "clear case|transparent case|see-through cover"),
                 P("皮质手机壳|皮套|真皮保护套", "leather case|leather cover|leather flip case"),
                 P("屏幕碎了|屏幕有裂痕|屏幕裂了一角", "cracked screen|the screen is cracked|broken screen"),
                 P("背面有猫咪贴纸|贴着小猫贴纸|壳上有猫的贴纸",
                   "cat sticker on the back|a sticker of a cat|kitty sticker"),
                 P("挂着小熊挂件|有个熊挂件|挂了一只小熊", "bear charm hanging from it|little bear charm|teddy charm"),
                 P("带挂绳|有手机挂绳|有根挂脖绳", "with a lanyard|has a neck strap|on a lanyard"),
                 P("背面有划痕|后盖刮花了|背面磨花了", "scratches on the back|scratched back|the back is scuffed"),
                 P("卡通手机壳|壳上印着卡通图案|动漫手机壳", "cartoon cover|case with cartoon print|anime case"),
                 P("带支架的壳|壳后面有指环扣|有个支架",
                   "ring holder on the back|case with a kickstand|phone ring grip")),
        inside=(P("壁纸是一只柴犬|锁屏是我家的狗|屏保是狗狗照片",
                  "wallpaper is a shiba dog|lock screen shows my dog|dog photo wallpaper"),
                P("壳里夹着公交卡|手机壳里有张地铁卡|后面塞了交通卡",
                  "metro card behind the case|transit card in the case|bus card tucked in the cover"),
                P("锁屏是全家福|屏保是家人合照", "family photo on the lock screen|lock screen is a family picture")),
    ),
    "wallet": Category(
        kinds=(P("钱包|皮夹", "wallet|purse"), P("长款钱包|长钱包", "long wallet|long purse"),
               P("短款钱包|折叠钱包", "short wallet|bifold wallet|small wallet"),
               P("零钱包|小钱包", "coin purse|small purse")),
        brands=(("蔻驰", "Coach"), ("古驰", "Gucci"), ("路易威登", "Louis Vuitton"), ("迈克高仕", "Michael Kors"),
                ("无印良品", "Muji"), ("普拉达", "Prada")),
        visible=(P("真皮|皮质的|牛皮", "leather|genuine leather|cowhide"),
                 P("拉链款|有拉链|四周拉链", "zip around|with a zip|zipped"),
                 P("边角磨损|四个角磨白了|有点旧", "worn corners|the edges are worn|quite old"),
                 P("印花图案|有花的图案|碎花", "floral print|flower pattern|flowery"),
                 P("有按扣|扣子是金属的", "snap button|metal clasp"),
                 P("菱格纹|格子压纹", "quilted|diamond pattern")),
        inside=(P("里面有现金|有几百块钱|装着一些现金", "some cash inside|a few hundred yuan in it|money inside"),
                P("有几张银行卡|里面有银行卡|有招行卡", "bank cards inside|my bank cards|debit cards"),
                P("夹着一张照片|有张合影|有张孩子的照片", "a photo inside|a picture of my kids|family photo"),
                P("有身份证|身份证在里面", "my ID card is in it|with my identity card"),
                P("有会员卡|好几张会员卡", "membership cards|loyalty cards")),
    ),
    "keys": Category(
        kinds=(P("钥匙|一串钥匙", "keys|bunch of keys|key set"), P("车钥匙|汽车钥匙", "car key|car keys|key fob")),
        brands=(("特斯拉", "Tesla"), ("宝马", "BMW"), ("丰田", "Toyota"), ("大众", "Volkswagen"), ("比亚迪", "BYD")),
        visible=(P("钥匙扣是小熊|挂着熊的钥匙扣|小熊钥匙圈", "teddy bear keyring|bear key chain|keyring with a bear"),
                 P("有门禁卡|带一个门禁扣|有小区门禁", "access fob|door fob|building entry tag"),
                 P("三把钥匙|一共三把|有3把钥匙", "three keys|3 keys"),
                 P("金属钥匙圈|铁环|不锈钢圈", "metal key ring|steel ring|metal ring"),
                 P("挂着兔子挂件|有只兔子|兔子公仔", "rabbit charm|bunny keychain|little rabbit"),
                 P("系着红绳|红色绳子|有根红绳", "red string|tied with red cord|red lanyard"),
                 P("有个小手电|带迷你手电筒", "small torch|mini flashlight"),
                 P("开瓶器钥匙扣|挂着开瓶器", "bottle opener keyring|with a bottle opener")),
        inside=(P("有一把是信箱钥匙|其中一把很小是信箱的", "one is a small mailbox key|includes a letterbox key"),
                P("钥匙上贴了标签写着家|有张小标签", "a tag saying home|a little label on one key")),
    ),
    "bag": Category(
        kinds=(P("双肩包|背包", "backpack|rucksack"), P("手提包|女包|手袋", "handbag|purse|tote"),
               P("购物袋|手提袋", "shopping bag|carrier bag"), P("帆布包|帆布袋", "canvas tote|canvas bag"),
               P("斜挎包|单肩包", "crossbody bag|shoulder bag|messenger bag")),
        brands=(("耐克", "Nike"), ("阿迪达斯", "Adidas"), ("珑骧", "Longchamp"), ("蔻驰", "Coach"),
                ("优衣库", "Uniqlo"), ("新秀丽", "Samsonite")),
        visible=(P("拉链坏了|拉链拉不上|拉头掉了", "broken zip|the zipper is broken|zip does not close"),
                 P("挂着小熊挂件|包上挂了熊|有个熊公仔挂饰",
                   "teddy bear charm|bear hanging on it|bear keychain on the strap"),
                 P("肩带很长|长肩带|带子可以调节", "long strap|adjustable strap|long shoulder strap"),
                 P("帆布材质|布的|帆布做的", "canvas|made of canvas|fabric"),
                 P("皮质|真皮的|人造皮", "leather|faux leather|leather look"),
                 P("侧面有水杯袋|两边有网兜", "side bottle pockets|mesh side pockets"),
                 P("有反光条|带反光条纹", "reflective strip|reflective stripes")),
        inside=(P("里面有笔记本电脑|装着电脑|有台笔记本",
                  "laptop inside|my laptop is in it|a notebook computer inside"),
                P("有个保温杯|有水杯|装着水壶", "water bottle inside|a thermos|flask inside"),
                P("有几件衣服|装着换洗衣服", "clothes inside|a change of clothes"),
                P("有儿童绘本|有孩子的书", "kids books inside|children's picture books"),
                P("有充电宝|里面有充电器", "power bank inside|a charger in it"),
                P("有雨伞|装着一把伞", "an umbrella inside|umbrella in the bag")),
    ),
    "card": Category(
        kinds=(P("银行卡|借记卡|信用卡", "bank card|debit card|credit card"),
               P("会员卡|积分卡", "membership card|loyalty card"),
               P("交通卡|公交卡|地铁卡", "transport card|metro card|bus card"),
               P("身份证|居民身份证", "ID card|identity card")),
        brands=(("招商银行", "China Merchants Bank"), ("工商银行", "ICBC"), ("建设银行", "CCB"),
                ("上海公交", "Shanghai transit")),
        visible=(P("蓝色卡套|套在蓝色卡套里", "blue card holder|in a blue sleeve"),
                 P("姓名王芳|上面写着王芳|名字是王芳", "name Wang Fang|says Wang Fang|Wang Fang's card"),
                 P("姓名李明|名字李明", "name Li Ming|Li Ming's card"),
                 P("姓名张伟|写着张伟", "name Zhang Wei|Zhang Wei on it"),
                 P("姓名刘洋|名字叫刘洋", "name Liu Yang|Liu Yang's"),
                 P("卡面有划痕|有点刮花|磨得很旧", "scratched|worn|scuffed"),
                 P("贴着贴纸|有张小贴纸", "sticker on it|has a little sticker"),
                 P("有个挂绳|挂在绳子上", "on a lanyard|with a neck cord")),
        inside=(P("卡号尾号8831|尾号是8831", "number ends 8831|ending in 8831"),
                P("背面写了名字|背后有签名", "signed on the back|name written on the back")),
    ),
    "umbrella": Category(
        kinds=(P("雨伞|伞", "umbrella|brolly"),
               P("折叠伞|三折伞", "folding umbrella|compact umbrella|foldable umbrella"),
               P("长柄伞|直杆伞", "long umbrella|straight umbrella|walking-stick umbrella")),
        brands=(("天堂", "Paradise"), ("蕉下", "Beneunder"), ("无印良品", "Muji")),
        visible=(P("波点图案|有圆点|白色小圆点", "polka dots|dotted|spotty"),
                 P("条纹|有条纹的|彩色条纹", "striped|stripes|stripy"),
                 P("花朵图案|印着花|碎花伞面", "floral pattern|flowers on it|flowery"),
                 P("木头手柄|木柄|手柄是木的", "wooden handle|wood handle"),
                 P("伞骨断了一根|有根伞骨折了|一根骨架坏了", "one rib broken|a broken rib|one spoke is bent"),
                 P("有伞套|带伞套", "with its sleeve|in a cover"),
                 P("自动开合|按钮自动的|一键自动", "automatic|auto open|push button opening"),
                 P("透明伞面|透明的", "transparent|clear plastic|see-through"),
                 P("防晒黑胶|里面是黑胶的", "uv coating inside|black sun-proof lining")),
        inside=(P("伞柄上贴了名字|手柄刻了字", "name label on the handle|initials on the handle"),),
    ),
    "clothing": Category(
        kinds=(P("外套|夹克", "jacket|coat"), P("围巾|披肩", "scarf|shawl"), P("帽子|棒球帽|毛线帽", "hat|cap|beanie"),
               P("手套|一双手套", "gloves|pair of gloves"), P("羽绒服|羽绒外套", "down coat|puffer jacket|down jacket"),
               P("卫衣|连帽衫", "hoodie|sweatshirt")),
        brands=(("优衣库", "Uniqlo"), ("ZARA", "Zara"), ("耐克", "Nike"), ("阿迪达斯", "Adidas"), ("H&M", "H&M"),
                ("北面", "The North Face")),
        visible=(P("羊毛的|纯羊毛|羊绒", "wool|woollen|cashmere"),
                 P("针织|毛线织的", "knitted|knit"),
                 P("牛仔|牛仔布", "denim|jean"),
                 P("有帽子|连帽|带帽兜", "with a hood|hooded"),
                 P("条纹|横条纹", "striped|stripes"),
                 P("儿童尺码|小孩穿的|童装", "child size|kids size|for a child"),
                 P("长款|过膝的", "long|knee length"),
                 P("格子|格纹|苏格兰格", "checked|plaid|tartan"),
                 P("有流苏|边上有穗子", "with tassels|fringed")),
        inside=(P("口袋里有纸巾|兜里有包纸巾", "tissues in the pocket|a pack of tissues in the pocket"),
                P("领口写着名字|衣服里缝了名字", "name sewn inside|name tag in the collar"),
                P("口袋里有发票|兜里有张小票", "a receipt in the pocket|shop receipt in the pocket")),
    ),
    "toy": Category(
        kinds=(P("毛绒玩具|公仔|玩偶", "soft toy|plush toy|stuffed animal"), P("玩具车|小汽车", "toy car|little car"),
               P("积木|拼装玩具", "building blocks|bricks"), P("娃娃|洋娃娃", "doll|baby doll")),
        brands=(("乐高", "Lego"), ("迪士尼", "Disney"), ("泡泡玛特", "Pop Mart"), ("风火轮", "Hot Wheels")),
        visible=(P("小熊|熊的样子|一只熊", "teddy bear|bear|bear shaped"),
                 P("兔子|小兔子|长耳朵兔子", "rabbit|bunny|bunny rabbit"),
                 P("穿着裙子|穿粉裙子", "wearing a dress|in a little dress"),
                 P("有点旧|很旧了|毛都起球了", "a bit worn|old and loved|fluffy but worn"),
                 P("会发声|按一下会唱歌|有声音", "makes sounds|plays music|sings when pressed"),
                 P("遥控的|带遥控器", "remote control|remote controlled"),
                 P("戴着蝴蝶结|头上有蝴蝶结", "with a bow|wearing a bow"),
                 P("一只眼睛掉了|少了一只眼睛", "one eye missing|missing an eye")),
        inside=(P("标签上写着孩子名字|洗标上有名字", "child's name on the label|name on the tag"),),
    ),
    "jewellery": Category(
        kinds=(P("戒指|指环", "ring"), P("项链|链子", "necklace|chain"), P("手链|手镯", "bracelet|bangle"),
               P("耳环|耳钉", "earrings|earring|studs"), P("手表|腕表", "watch|wristwatch")),
        brands=(("周大福", "Chow Tai Fook"), ("潘多拉", "Pandora"), ("施华洛世奇", "Swarovski"), ("卡西欧", "Casio"),
                ("天梭", "Tissot"), ("老凤祥", "Lao Feng Xiang")),
        visible=(P("金的|黄金|足金", "gold|golden|solid gold"),
                 P("银的|纯银|925银", "silver|sterling silver"),
                 P("珍珠|带珍珠", "pearl|pearls|with a pearl"),
                 P("镶钻|有颗钻|水钻", "diamond|with a diamond|rhinestones"),
                 P("心形吊坠|有个心形坠子|爱心", "heart pendant|heart shaped charm|little heart"),
                 P("链子断了|扣子坏了", "broken chain|the clasp is broken"),
                 P("有盒子|装在首饰盒里|红色小盒子", "in a box|in a jewellery box|in a little red box"),
                 P("皮表带|黑色皮带", "leather strap|leather band"),
                 P("钢表带|金属表带", "metal bracelet strap|steel band")),
        inside=(P("内侧刻着字母|刻了名字缩写|里面刻着LOVE",
                  "engraved letters inside|initials engraved|engraving inside"),
                P("后盖刻了日期|背面刻着日期", "date engraved on the back|engraved date")),
    ),
    "documents": Category(
        kinds=(P("护照", "passport"), P("文件袋|资料袋|档案袋", "document folder|file folder|envelope of papers"),
               P("笔记本|本子", "notebook|notepad"), P("病历本|病历", "medical record book|medical records"),
               P("驾驶证|驾照", "driving licence|driver's license")),
        brands=(),
        visible=(P("姓名陈静|名字陈静|上面是陈静", "name Chen Jing|Chen Jing's"),
                 P("姓名刘洋|写着刘洋", "name Liu Yang|Liu Yang on it"),
                 P("姓名赵磊|名字赵磊", "name Zhao Lei|Zhao Lei's"),
                 P("蓝色封面|封皮是蓝的", "blue cover|blue front"),
                 P("透明文件袋|透明袋子", "clear folder|transparent plastic folder"),
                 P("外国护照|不是中国护照", "foreign passport|non-Chinese passport"),
                 P("用夹子夹着|有个长尾夹", "with a clip|held with a binder clip")),
        inside=(P("里面夹着发票|有几张发票", "receipts inside|some invoices in it"),
                P("有合同|装着租房合同", "contract inside|a rental contract"),
                P("有医院检查单|里面有化验单", "hospital test results|lab reports inside")),
    ),
    "other": Category(
        kinds=(P("眼镜|近视眼镜", "glasses|spectacles"), P("耳机|蓝牙耳机", "earphones|earbuds|headphones"),
               P("保温杯|水杯", "flask|thermos|water bottle"), P("书|一本书", "book"),
               P("墨镜|太阳镜", "sunglasses|shades"),
               P("充电宝|移动电源", "power bank|portable charger")),
        brands=(("苹果", "Apple"), ("华为", "Huawei"), ("小米", "Xiaomi"), ("索尼", "Sony"), ("膳魔师", "Thermos"),
                ("雷朋", "Ray-Ban")),
        visible=(P("有眼镜盒|装在盒子里", "with a case|in its case"),
                 P("无线的|没有线", "wireless|cordless"),
                 P("黑框|黑色镜框", "black frame|black rims"),
                 P("金属框|细金属边", "metal frame|thin metal rims"),
                 P("充电盒有划痕|盒子刮花了", "scratched charging case|the case is scratched"),
                 P("不锈钢|钢的", "stainless steel|steel"),
                 P("贴着名字|有名字标签", "name label|name sticker"),
                 P("书皮包着|包了书皮", "with a book cover|covered in paper")),
        inside=(P("左边耳机有点坏|一只耳机不响", "left earbud is faulty|one side does not work"),
                P("书里夹着书签|有张书签", "a bookmark inside|bookmark in it")),
    ),
}
CATEGORY_WEIGHTS = {"phone": 16, "wallet": 12, "keys": 12, "bag": 10, "card": 10, "umbrella": 10,
                    "clothing": 10, "toy": 7, "jewellery": 5, "documents": 4, "other": 4}

PLACES: tuple[Phrase, ...] = (
    P("美食广场|美食街", "the food court"), P("洗手间|卫生间", "the toilets|the restroom"),
    P("电影院门口|影城", "the cinema"), P("扶梯旁边|自动扶梯", "the escalator"),
    P("超市收银台|超市", "the supermarket"), P("儿童游乐区|游乐场", "the kids play area"),
    P("停车场|地下车库", "the car park"), P("试衣间|更衣室", "a changing room"),
    P("咖啡店|奶茶店", "a coffee shop|the bubble tea shop"), P("休息区的椅子上|长椅上", "a bench in the rest area"),
)
OWNER_OPENINGS_ZH = ("", "", "我丢了", "丢失", "找不到我的", "不见了一个", "遗失", "请帮忙找")
OWNER_CONTEXT_ZH = ("", "", "可能是在{place}掉的。", "下午在{place}待过，应该落在那里了。",
                    "在{place}附近丢的，麻烦帮忙找一下，谢谢！", "最后一次看到是在{place}。", "很着急，谢谢！",
                    "陪孩子逛街时丢的。")
OWNER_OPENINGS_EN = ("", "", "Lost my ", "I lost a ", "Missing: ", "I can't find my ", "Have you found a ", "Lost ")
OWNER_CONTEXT_EN = ("", "", " Probably left it at {place}.", " I think I dropped it near {place}.",
                    " Last saw it at {place}, please call me if you find it.", " Thanks for your help!",
                    " We were shopping with the kids.", " It must have fallen out of my bag.")
DESK_TEMPLATES_ZH = ("{colour}{brand}{kind}，{features}", "{kind}，{colour}，{brand}{features}",
                     "{place_note}{colour}{brand}{kind}：{features}", "{colour}{kind}（{brand}），{features}")
DESK_TEMPLATES_EN = ("{colour} {brand} {kind}, {features}", "{kind}: {colour}, {brand} {features}",
                     "{place_note}{colour} {brand} {kind}; {features}")


@dataclass(frozen=True)
class OwnedItem:
    category: str
    colour: str
    brand: tuple[str, str] | None
    kind: Phrase
    visible: tuple[Phrase, ...]
    inside: tuple[Phrase, ...]
    level: str
    store: str
    place: Phrase
    lost_at: datetime
    found_at: datetime


@dataclass(frozen=True)
class LabelledSet:
    found: list[ItemFacts]
    lost: list[ItemFacts]
    truth: dict[str, str]
    """Lost report key → the key of the found item that is really theirs."""
    languages: dict[str, str]
    """Lost report key → the language the owner wrote in."""


def vocabulary() -> dict[str, set[str]]:
    """Every Chinese and English wording the generator can write (for the coverage figure)."""
    words: dict[str, set[str]] = {"zh": set(), "en": set()}
    phrases = list(COLOURS.values()) + list(PLACES)
    for category in CATALOGUE.values():
        phrases += list(category.kinds) + list(category.visible) + list(category.inside)
        for chinese, english in category.brands:
            words["zh"].add(chinese)
            words["en"].add(english)
    for chinese, english in phrases:
        words["zh"].update(chinese)
        words["en"].update(english)
    return words


def _owned_item(rng: random.Random) -> OwnedItem:
    category_name = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    category = CATALOGUE[category_name]
    level = rng.choice(LEVELS)
    lost_at = START + timedelta(days=rng.random() * DAYS)
    roll = rng.random()
    if roll < 0.7:
        delay = timedelta(minutes=rng.uniform(5, 360))
    elif roll < 0.9:
        delay = timedelta(hours=rng.uniform(6, 48))
    else:
        delay = timedelta(days=rng.uniform(2, 10))
    inside = tuple(rng.sample(category.inside, min(len(category.inside), rng.randint(0, 2))))
    return OwnedItem(
        category=category_name,
        colour=rng.choice(list(COLOURS)),
        brand=rng.choice(category.brands) if category.brands and rng.random() < 0.6 else None,
        kind=rng.choice(category.kinds),
        visible=tuple(rng.sample(category.visible, rng.randint(2, 4))),
        inside=inside,
        level=level,
        store=f"{level}-{rng.randint(1, STORES_PER_LEVEL):02d}",
        place=rng.choice(PLACES),
        lost_at=lost_at,
        found_at=lost_at + delay,
    )


def _say(rng: random.Random, phrase: Phrase, language: str) -> str:
    return rng.choice(phrase[0] if language != "en" else phrase[1])


def _typo(rng: random.Random, text: str) -> str:
    """One English word misspelt: a letter dropped or two swapped."""
    words = text.split(" ")
    candidates = [index for index, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    position = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        word = word[:position] + word[position + 1:]
    else:
        word = word[:position - 1] + word[position] + word[position - 1] + word[position + 1:]
    words[index] = word
    return " ".join(words)


def _tidy(text: str) -> str:
    """Templates with an empty slot leave doubled or leading punctuation: close the gaps."""
    text = re.sub(r"\s+", " ", text.replace("（）", "").replace("()", ""))
    text = re.sub(r"\s*([，,：:；;])(\s*[，,：:；;])+", r"\1", text)
    text = re.sub(r"\s+([，,：:；;])", r"\1", text)
    return text.strip("，,：:；; ")


def _desk_record(rng: random.Random, key: str, item: OwnedItem) -> ItemFacts:
    """What the desk registers: terse, mostly Chinese, what it sees; fields usually filled."""
    language = "zh" if rng.random() < 0.8 else "en"
    shown = list(rng.sample(item.visible, rng.randint(1, len(item.visible))))
    shown += [phrase for phrase in item.inside if rng.random() < 0.15]
    brand = item.brand if rng.random() < 0.75 else None
    colour_in_text = _say(rng, COLOURS[item.colour], language) if rng.random() < 0.7 else ""
    brand_in_text = (brand[0] if language == "zh" else brand[1]) if brand and rng.random() < 0.6 else ""
    separator = "，" if language == "zh" else ", "
    features = separator.join(_say(rng, phrase, language) for phrase in shown)
    place_note = ""
    if rng.random() < 0.3:
        place_note = (f"{_say(rng, item.place, 'zh')}捡到，" if language == "zh"
                      else f"Found at {_say(rng, item.place, 'en')}: ")
    template = rng.choice(DESK_TEMPLATES_ZH if language == "zh" else DESK_TEMPLATES_EN)
    text = template.format(colour=colour_in_text, brand=brand_in_text, kind=_say(rng, item.kind, language),
                           features=features, place_note=place_note)
    text = _tidy(text)
    brand_field = ""
    if brand and rng.random() < 0.7:
        brand_field = brand[0] if rng.random() < 0.6 else brand[1]
    return ItemFacts(
        key=key, category=item.category, text=text,
        colour=item.colour if rng.random() < 0.9 else "", brand=brand_field,
        at=item.found_at, level_id=item.level, store_id=item.store if rng.random() < 0.5 else "",
    )


def _stated_loss_time(rng: random.Random, item: OwnedItem) -> datetime | None:
    """The kiosk asks "just now / earlier today / yesterday / before that": rough, sometimes wrong."""
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.75:
        return item.lost_at + timedelta(hours=rng.uniform(-1.5, 1.5))
    if roll < 0.95:
        return item.lost_at + timedelta(hours=rng.uniform(-6, 6))
    return item.lost_at + timedelta(hours=rng.uniform(6, 18))


def _owner_record(rng: random.Random, key: str, item: OwnedItem, converter) -> tuple[ItemFacts, str]:
    """What the owner reports at a kiosk: their language, what they remember, rough time and place."""
    language = rng.choices(("zh_CN", "en", "zh_TW"), weights=(5, 4, 1))[0]
    words = "en" if language == "en" else "zh"
    remembered = [phrase for phrase in item.visible if rng.random() < 0.55]
    remembered += [phrase for phrase in item.inside if rng.random() < 0.6]
    if not remembered:
        remembered = [rng.choice(item.visible)]
    rng.shuffle(remembered)
    colour = item.colour
    if rng.random() < 0.15:
        colour = CONFUSED.get(colour, colour)
    brand = item.brand if rng.random() < 0.7 else None
    colour_in_text = _say(rng, COLOURS[colour], words) if rng.random() < 0.7 else ""
    brand_in_text = (brand[1] if words == "en" else brand[0]) if brand and rng.random() < 0.8 else ""
    if brand_in_text and words == "en" and rng.random() < 0.3:
        brand_in_text = brand_in_text.lower()
    kind = _say(rng, item.kind, words)
    place = _say(rng, item.place, words)
    if words == "en":
        features = ", ".join(_say(rng, phrase, "en") for phrase in remembered)
        head = " ".join(part for part in (colour_in_text, brand_in_text, kind) if part)
        text = rng.choice(OWNER_OPENINGS_EN) + head + (", " + features if features else "") + "."
        text += rng.choice(OWNER_CONTEXT_EN).format(place=place)
        if rng.random() < 0.2:
            text = _typo(rng, text)
    else:
        features = "，".join(_say(rng, phrase, "zh") for phrase in remembered)
        text = rng.choice(OWNER_OPENINGS_ZH) + colour_in_text + brand_in_text + kind
        text += ("，" + features if features else "") + "。" + rng.choice(OWNER_CONTEXT_ZH).format(place=place)
        if language == "zh_TW":
            text = converter.convert(text)
    roll = rng.random()
    if roll < 0.5:
        level, store = item.level, (item.store if rng.random() < 0.4 else "")
    elif roll < 0.65:
        level, store = rng.choice(LEVELS), ""
    else:
        level, store = "", ""
    brand_field = ""
    if brand and rng.random() < 0.4:
        brand_field = brand[1] if words == "en" else brand[0]
    facts = ItemFacts(
        key=key, category=item.category, text=text.strip(),
        colour=colour if rng.random() < 0.8 else "", brand=brand_field,
        at=_stated_loss_time(rng, item), level_id=level, store_id=store,
    )
    return facts, language


def generate(found_count: int = 2000, lost_count: int = 500, seed: int = SEED) -> LabelledSet:
    """`found_count` found items, of which `lost_count` have a lost report by their owner."""
    import opencc

    if lost_count > found_count:
        raise ValueError("every lost report needs its found item")
    converter = opencc.OpenCC("s2twp")
    rng = random.Random(seed)
    owned = [_owned_item(rng) for _ in range(found_count)]
    found = [_desk_record(rng, f"F{index:05d}", item) for index, item in enumerate(owned)]
    reported = rng.sample(range(found_count), lost_count)
    lost, truth, languages = [], {}, {}
    for number, index in enumerate(reported):
        key = f"L{number:05d}"
        facts, language = _owner_record(rng, key, owned[index], converter)
        lost.append(facts)
        truth[key] = found[index].key
        languages[key] = language
    return LabelledSet(found=found, lost=lost, truth=truth, languages=languages)


def load_handwritten(path: Path = HANDWRITTEN) -> LabelledSet:
    """The hand-written pairs (see the file's "about"). Found items are keyed by a hash of their
    text, so the file's ids (which tell true items from distractors) cannot break a tie."""
    document = json.loads(path.read_text(encoding="utf-8"))
    zone = ZoneInfo(document["timezone"])

    def when(text: str) -> datetime | None:
        return datetime.fromisoformat(text).replace(tzinfo=zone) if text else None

    key_of = {row["id"]: "H" + hashlib.sha1(row["text"].encode()).hexdigest()[:10] for row in document["found"]}
    if len(set(key_of.values())) != len(key_of):
        raise ValueError(f"{path}: two found items share a text")
    found = [ItemFacts(key=key_of[row["id"]], category=row["category"], text=row["text"], colour=row["colour"],
                       brand=row["brand"], at=when(row["at"]), level_id=row["level"])
             for row in document["found"]]
    lost, truth, languages = [], {}, {}
    for row in document["lost"]:
        lost.append(ItemFacts(key=row["id"], category=row["category"], text=row["text"], colour=row["colour"],
                              brand=row["brand"], at=when(row["at"]), level_id=row["level"]))
        truth[row["id"]] = key_of[row["truth"]]
        languages[row["id"]] = row["language"]
    return LabelledSet(found=found, lost=lost, truth=truth, languages=languages)
