"""Query limits for /graphql/ (DESIGN §9), added on top of graphql-core's
standard validation rules, which always run:

- a depth limit (graphene's ``depth_limit_validator``, guarded so that an
  unknown or cyclic fragment is reported by the standard rules instead of
  crashing the depth walk);
- a field budget: at most ``MAX_FIELDS`` fields in a document, and at most
  ``MAX_PER_FIELD`` of each costly root field: ``trackCase`` (aliases are the way
  to try many query codes in one request), ``resultBoard`` (a period's
  aggregate), the case lists;
- a limit on the fields a document expands to through its fragments
  (``MAX_EXPANDED_FIELDS``): fragments that each spread the next one twice
  make a short document stand for millions of fields, and the depth walk
  would follow every one of them;
- for anonymous users outside DEBUG, no schema introspection.

Size limits (body bytes, characters, tokens) are applied before parsing, in the view."""

from graphene.validation import depth_limit_validator
from graphql import GraphQLError, specified_rules
from graphql.language import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, OperationDefinitionNode
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
MAX_EXPANDED_FIELDS = 2_000  # fields once every fragment spread is replaced by its fragment
MAX_BODY_BYTES = 256 * 1024  # the whole request body, checked before it is read as JSON


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


def _fields_in(node, sizes):
    """Fields inside ``node``, each spread counted as its fragment's size
    (``sizes``, which must hold every fragment spread there)."""
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FragmentSpreadNode):
            count += sizes[current.name.value]
            continue
        if isinstance(current, FieldNode):
            count += 1
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def expanded_field_count(document):
    """The largest number of fields one operation of ``document`` stands
    for once its fragments are expanded, computed once per fragment (so in
    linear time, however large the expansion); None for a document without
    fragments (its fields are counted by ``FieldBudgetRule``). The fragments
    must be sound (``fragments_are_sound``)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    if not fragments:
        return None
    waiting = {name: set(_spreads(fragment)) for name, fragment in fragments.items()}
    sizes = {}
    while waiting:  # fragments whose spreads are all sized first (there is no cycle)
        ready = [name for name, needs in waiting.items() if needs <= sizes.keys()]
        for name in ready:
            sizes[name] = _fields_in(fragments[name], sizes)
            del waiting[name]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return max((_fields_in(operation, sizes) for operation in operations), default=0)


_GrapheneDepthLimit = depth_limit_validator(max_depth=MAX_DEPTH)


class DepthLimitRule(_GrapheneDepthLimit):
    """graphene's depth limit, skipped when the fragments are unknown or
    cyclic (the standard rules reject such a document anyway), and refused
    without the walk when the fragments expand to too many fields (the walk
    follows every spread: its time grows with the expansion)."""

    def __init__(self, context):
        if not fragments_are_sound(context.document):
            ValidationRule.__init__(self, context)
        elif (expanded_field_count(context.document) or 0) > MAX_EXPANDED_FIELDS:
            ValidationRule.__init__(self, context)
            self.report_error(GraphQLError(
                f"The query expands to more than {MAX_EXPANDED_FIELDS} fields through its fragments."
            ))
        else:
            super().__init__(context)


class FieldBudgetRule(ValidationRule):
    """Refuse documents with too many fields, or with many of one costly
    field (aliases repeat a field: many query codes tried at once, many
    result boards computed at once), before anything runs. The costly
    fields are fields of the query root: a type's own field of the same name
    (``cases`` of a hot spot or a supervision note) costs nothing extra."""

    def __init__(self, context):
        super().__init__(context)
        self.per_field = dict.fromkeys(MAX_PER_FIELD, 0)
        # Counted before the visit: a field repeated thousands of times in one
        # selection makes graphql-core's overlapping-fields rule give up
        # ("Validation aborted.") before the visit would reach the 201st field.
        extra = _nth_field(context.document, MAX_FIELDS + 1)
        if extra is not None:
            self.report_error(GraphQLError(f"At most {MAX_FIELDS} fields per request.", extra))

    def enter_field(self, node: FieldNode, *_args):
        name = node.name.value
        if name in self.per_field and self.context.get_parent_type() is self.context.schema.query_type:
            self.per_field[name] += 1
            if self.per_field[name] == MAX_PER_FIELD[name] + 1:
                self.report_error(GraphQLError(f"At most {MAX_PER_FIELD[name]} {name} fields per request.", node))


def _nth_field(document, n):
    """The ``n``-th field node of the document (in no particular order), or None."""
    count, stack = 0, list(document.definitions)
    while stack:
        current = stack.pop()
        if isinstance(current, FieldNode):
            count += 1
            if count == n:
                return current
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return None


def validation_rules(*, introspection):
    """The rules for one request: the standard ones, then ours."""
    rules = [*specified_rules, DepthLimitRule, FieldBudgetRule]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)
