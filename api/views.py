"""The /graphql/ endpoint.

The standard GraphQL validation rules always run; on top of them a depth
limit and a cap on fields per operation, and, for anonymous users outside
DEBUG, no schema introspection. GraphiQL is offered to signed-in staff, or to
everyone when DEBUG is on."""

from django.conf import settings
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView
from graphql import GraphQLError, specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule, ValidationRule

MAX_DEPTH = 10
MAX_FIELDS = 200
MAX_TRACK_CASE = 5


class FieldBudgetRule(ValidationRule):
    """Refuse documents with too many fields, or that try many case codes at
    once through aliases of trackCase."""

    def __init__(self, context):
        super().__init__(context)
        self.fields = 0
        self.tracks = 0

    def enter_field(self, node, *_args):
        self.fields += 1
        if node.name.value == "trackCase":
            self.tracks += 1
            if self.tracks == MAX_TRACK_CASE + 1:
                self.report_error(GraphQLError(f"At most {MAX_TRACK_CASE} trackCase fields per request.", node))
        if self.fields == MAX_FIELDS + 1:
            self.report_error(GraphQLError(f"At most {MAX_FIELDS} fields per request.", node))


class MinshengGraphQLView(GraphQLView):
    def dispatch(self, request, *args, **kwargs):
        self.graphiql = settings.DEBUG or request.user.is_staff
        rules = [*specified_rules, depth_limit_validator(max_depth=MAX_DEPTH), FieldBudgetRule]
        if not (settings.DEBUG or request.user.is_authenticated):
            rules.append(NoSchemaIntrospectionCustomRule)
        self.validation_rules = tuple(rules)
        return super().dispatch(request, *args, **kwargs)
