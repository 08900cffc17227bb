"""The /graphql/ endpoint. GraphiQL is offered to signed-in staff, or to
everyone when DEBUG is on; anonymous production users get the API only."""

from django.conf import settings
from graphene_django.views import GraphQLView


class MinshengGraphQLView(GraphQLView):
    def dispatch(self, request, *args, **kwargs):
        self.graphiql = settings.DEBUG or request.user.is_staff
        return super().dispatch(request, *args, **kwargs)
