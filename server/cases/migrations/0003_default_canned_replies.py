"""Three canned replies every mall starts with (editable in the admin)."""
from django.db import migrations

REPLIES = [
    ("已受理 / Received",
     "您好，我们已收到并受理您的反馈，会尽快处理并在此更新进度。",
     "Hello, we have received your case and are handling it. We will post updates here.",
     "您好，我們已收到並受理您的意見，會盡快處理並在此更新進度。"),
    ("需要更多信息 / Need details",
     "您好，为了更好地处理，请在本页面补充具体位置和时间，谢谢。",
     "Hello, to handle this well we need a little more: please add the exact place and time on this page.",
     "您好，為了更好地處理，請在本頁面補充具體位置和時間，謝謝。"),
    ("已处理 / Resolved",
     "您好，您反映的问题已处理完毕，感谢您帮助我们改进。",
     "Hello, the matter you reported has been dealt with. Thank you for helping us improve.",
     "您好，您反映的問題已處理完畢，感謝您幫助我們改進。"),
]


def add_replies(apps, schema_editor):
    CannedReply = apps.get_model("cases", "CannedReply")
    for title, zh_cn, en, zh_tw in REPLIES:
        CannedReply.objects.get_or_create(
            mall=None, title=title, defaults={"text_zh_cn": zh_cn, "text_en": en, "text_zh_tw": zh_tw})


def remove_replies(apps, schema_editor):
    apps.get_model("cases", "CannedReply").objects.filter(
        mall=None, title__in=[r[0] for r in REPLIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_cannedreply_caseattachment_categoryrule_and_more")]
    operations = [migrations.RunPython(add_replies, remove_replies)]
