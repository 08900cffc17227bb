"""Query limits for /graphql/ (DESIGN §9), added on top of graphql-core's
standard validation rules, which always run:

- a depth limit (graphene's ``depth_limit_validator``, guarded so that an
  unknown or cyclic fragment is reported by the standard rules instead of
  crashing the depth walk);
- a field budget: at most ``MAX_FIELDS`` fields in a document, and at most
  ``MAX_PER_FIELD`` of each costly root field: ``trackCase`` (aliases are the way
  to try many query codes in one request), ``resultBoard`` (a period's
  aggregate), the case lists;
- for anonymous users outside DEBUG, no schema introspection.

Size limits (characters, tokens) are applied before parsing, in the view."""

from graphene.validation import depth_limit_validator
from graphql import GraphQLError, specified_rules
from graphql.language import FieldNode, FragmentDefinitionNode, FragmentSpreadNode
from graphql.validation import NoSchemaIntrospectionCustomRule, ValidationRule

MAX_DEPTH = 10
MAX_FIELDS = 200
MAX_TRACK_CASE = 30
# Fields that cost a lot each time they appear (an aggregate over a period).
MAX_PER_FIELD = {
    "trackCase": MAX_TRACK_CASE, "resultBoard": 3, "publishedCases": 5, "cases": 5,
    "hotItems": 3, "hotRegions": 3, "risingMatters": 3, "seasonal": 3, "weekdayProfile": 3,
}
MAX_QUERY_LENGTH = 20_000  # characters
MAX_TOKENS = 4_000


def _spreads(node):
    """Names of the fragments spread anywhere inside ``node`` (iteratively)."""
    names, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FragmentSpreadNode):
            names.append(current.name.value)
            continue
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return names


def fragments_are_sound(document):
    """True when every spread names a defined fragment and no fragment
    spreads itself, directly or not: the conditions the depth walk needs."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    edges = {name: _spreads(fragment) for name, fragment in fragments.items()}
    for definition in document.definitions:
        if any(name not in fragments for name in _spreads(definition)):
            return False
    done, in_progress = set(), set()
    for start in fragments:
        if start in done:
            continue
        stack = [(start, iter(edges[start]))]
        in_progress.add(start)
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                in_progress.discard(name)
                done.add(name)
            elif child in in_progress:
                return False
            elif child not in done:
                in_progress.add(child)
                stack.append((child, iter(edges[child])))
    return True


_GrapheneDepthLimit = depth_limit_validator(max_depth=MAX_DEPTH)


class DepthLimitRule(_GrapheneDepthLimit):
    """graphene's depth limit, skipped when the fragments are unknown or
    cyclic (the standard rules reject such a document anyway)."""

    def __init__(self, context):
        if fragments_are_sound(context.document):
            super().__init__(context)
        else:
            ValidationRule.__init__(self, context)


class FieldBudgetRule(ValidationRule):
    """Refuse documents with too many fields, or with many of one costly
    field (aliases repeat a field: many query codes tried at once, many
    result boards computed at once), before anything runs. The costly
    fields are fields of the query root: a type's own field of the same name
    (``cases`` of a hot spot or a supervision note) costs nothing extra."""

    def __init__(self, context):
        super().__init__(context)
        self.fields = 0
        self.per_field = dict.fromkeys(MAX_PER_FIELD, 0)

    def enter_field(self, node: FieldNode, *_args):
        self.fields += 1
        name = node.name.value
        if name in self.per_field and self.context.get_parent_type() is self.context.schema.query_type:
            self.per_field[name] += 1
            if self.per_field[name] == MAX_PER_FIELD[name] + 1:
                self.report_error(GraphQLError(f"At most {MAX_PER_FIELD[name]} {name} fields per request.", node))
        if self.fields == MAX_FIELDS + 1:
            self.report_error(GraphQLError(f"At most {MAX_FIELDS} fields per request.", node))


def validation_rules(*, introspection):
    """The rules for one request: the standard ones, then ours."""
    rules = [*specified_rules, DepthLimitRule, FieldBudgetRule]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)
