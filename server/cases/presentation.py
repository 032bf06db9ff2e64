"""Small display helpers shared by the tracking page and the console."""
from __future__ import annotations

# The console and phone pages use Django language codes; content fields use the protocol's
# languages (zh_CN / en / zh_TW), stored as name_zh_cn / name_en / name_zh_tw.
CONTENT_FIELD_SUFFIX = {"zh-hans": "zh_cn", "en": "en", "zh-hant": "zh_tw"}


def mall_name(mall, language: str) -> str:
    """The mall's name in `language`, falling back to Simplified Chinese, then the id."""
    suffix = CONTENT_FIELD_SUFFIX.get(language, "zh_cn")
    return getattr(mall, f"name_{suffix}", "") or mall.name_zh_cn or mall.name_en or str(mall.pk)


