"""The public home page of the demo site.

Wagtail's first migration creates a bare "Welcome to your new Wagtail site!"
page as the default site's root. As in bakerydemo's initial-data loading,
the demo removes that page (only while it is still a bare, childless
``Page``) and puts the ``HomePage`` in its place, so the site root answers
with 高平市接诉即办."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from cms.models import HomePage

TITLE = "高平市接诉即办"
INTRO = (
    "<p>高平市接诉即办指挥中心7×24小时受理群众诉求：有诉必接，马上就办。"
    "晋城12345转办事件、人民网地方领导留言板、市长信箱、今日高平/高效办、国务院客户端微信小程序、"
    "矛盾纠纷多元调解、网信办、融媒体中心帮帮团、街乡吹哨、网格重要事件十个渠道汇成一个入口，"
    "由接诉即办平台统一调度相关部门和乡镇（街道）处置。</p>"
)
BODY = [
    ("heading", "一个入口"),
    ("paragraph", RichText(
        "<p>十个诉求渠道形成一个“超级入口”，全天候、全方位、全领域接收群众诉求。"
        "您也可以通过门户网站或微信小程序在线提交，凭受理编号和查询码随时查看办理进度。</p>")),
    ("heading", "三级响应"),
    ("paragraph", RichText(
        "<p>市、乡镇（街道）、村（社区）三级指挥平台上下贯通：市级平台将属于乡镇的事项派发至二级平台，"
        "属于村（社区）的事项再转派至三级平台，调动网格员、社区工作者、志愿者等下沉力量处置；"
        "基层处置不了的，逐级“吹哨”，由上一级统一调度。</p>")),
    ("heading", "六步闭环"),
    ("paragraph", RichText(
        "<p>受理、派单、处置、反馈、评价、归档。承办单位在限定时限内办理，办结后逐案回访，"
        "以响应率、解决率、满意率“三率”考核，每件诉求建立全流程卷宗。</p>")),
]


def _bare_welcome_page(root):
    """Wagtail's default welcome page, if it is still untouched enough to remove."""
    bare = ContentType.objects.get_for_model(Page)
    page = root.get_children().filter(slug="home", content_type=bare).first()
    if page is None or page.get_children().exists():
        return None
    return page


def load(stats):
    """Create the home page once and make it the default site's root."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        welcome = _bare_welcome_page(root)
        if welcome is not None:
            # Site.root_page cascades on delete: point the sites elsewhere first.
            Site.objects.filter(root_page=welcome).update(root_page=root)
            welcome.delete()
            root = Page.get_first_root_node()  # fresh numchild for treebeard
        slug = "home" if not root.get_children().filter(slug="home").exists() else "gaoping"
        home = root.add_child(instance=HomePage(title=TITLE, slug=slug, hotline="12345", intro=INTRO, body=BODY))
        home.save_revision().publish()
        stats["HomePage"] += 1
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=TITLE)
        stats["Site"] += 1
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or TITLE
        site.save()
    return home
