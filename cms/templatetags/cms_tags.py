"""Template tags of the public site: rates as percentages, and the site's
home page and navigation."""

from django import template
from wagtail.models import Site

from publishing.templatetags.publishing_tags import percent

register = template.Library()

# Rates as percentages: the filter the PDFs use, registered here too (one implementation).
register.filter("percent", percent)


def _site_root(context):
    request = context.get("request")
    if request is not None and hasattr(request, "_cms_site_root"):
        return request._cms_site_root  # the header and the footer both ask
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page.specific if site is not None else None
    if request is not None:
        request._cms_site_root = root
    return root


@register.simple_tag(takes_context=True)
def site_home(context):
    """The site's root page (the home page), specific; None without a site."""
    return _site_root(context)


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The navigation: ``[(page, active), …]`` — the home page, then the live,
    public pages under it that are shown in menus, in the editors' order.
    ``active`` marks the page being shown or the section it lies in."""
    root = _site_root(context)
    if root is None:
        return []
    current = context.get("page")
    pages = [root, *root.get_children().live().public().in_menu().specific()]
    items = []
    for page in pages:
        if current is None:
            active = False
        elif page.pk == root.pk:
            active = current.pk == root.pk
        else:
            active = current.pk == page.pk or current.path.startswith(page.path)
        items.append((page, active))
    return items
