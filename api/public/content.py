"""Notice pages (公告) of the public site, live pages only.

Thin: which pages the public may see is decided by ``cms.models.public_notices``
(live, never a draft, no view restriction); the body is rendered by the page."""

import graphene

from cms.models import public_notice, public_notices

from .board import page_size


class NoticeBlockType(graphene.ObjectType):
    """One block of a notice's body."""

    class Meta:
        name = "NoticeBlock"

    id = graphene.String()
    type = graphene.String(required=True, description="heading, paragraph or image.")
    text = graphene.String(required=True, description="The heading, the paragraph without markup, or the caption.")
    html = graphene.String(required=True, description="The block rendered as HTML, as the site shows it.")
    image_url = graphene.String(description="For an image block, the address of the image at display size.")


class NoticeType(graphene.ObjectType):
    """A published, public notice page."""

    class Meta:
        name = "Notice"

    slug = graphene.String(required=True)
    title = graphene.String(required=True)
    date = graphene.Date(required=True)
    intro = graphene.String(required=True, description="A sentence or two for lists, plain text.")
    url = graphene.String(description="The page's address on the public site.")
    body_html = graphene.String(required=True, description="The body rendered as HTML.")
    blocks = graphene.List(graphene.NonNull(NoticeBlockType), required=True, description="The body, block by block.")
    first_published_at = graphene.DateTime()

    def resolve_url(page, info):
        return page.get_full_url(request=info.context)

    def resolve_body_html(page, info):
        return page.body_html

    def resolve_blocks(page, info):
        return page.body_blocks()


class ContentQuery(graphene.ObjectType):
    notices = graphene.List(
        graphene.NonNull(NoticeType), required=True, first=graphene.Int(default_value=20),
        description="Published public notices, newest first; first is 1 to 100.",
    )
    notice = graphene.Field(
        NoticeType, slug=graphene.String(required=True),
        description="A published public notice by its slug; null for a draft, an unpublished or a restricted page.",
    )

    def resolve_notices(self, info, first=20):
        return public_notices()[:page_size(first)]

    def resolve_notice(self, info, slug):
        return public_notice(slug)
