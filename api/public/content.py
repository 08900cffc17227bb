"""Notice pages (公告) of the public site, live pages only."""

import graphene


class ContentQuery(graphene.ObjectType):
    pass
