"""The execution context of /graphql/: graphql-sync-dataloaders' deferred
context, which resolves the dataloaders' futures in batches (one SQL query
per relation and level instead of one per object). Two adaptations:

- graphql-sync-dataloaders 0.1.1 was written for graphql-core 3.2.3; since
  3.2.4 ``handle_field_error`` also takes the field's ``path`` (to drop
  errors below a position already nulled by an earlier error). The library
  calls it without one, which raised a TypeError instead of reporting the
  field's error. The path is rebuilt from the error's own path (without
  type names, which only graphql-core's own bookkeeping reads), so every
  field's error is reported at its place.
- The library runs every deferred load at the end of the operation. For a
  mutation document that would read the result of the first mutation only
  after the second one ran; so after each top-level mutation field the
  pending loads run at once, and each mutation's answer shows the data as
  that mutation left it (the GraphQL spec's serial execution)."""

from graphql import OperationType
from graphql.pyutils import Path
from graphql_sync_dataloaders import DeferredExecutionContext


class ExecutionContext(DeferredExecutionContext):
    def handle_field_error(self, error, return_type, path=None):
        if path is None:
            for key in error.path or ():
                path = Path(path, key, None)
        return super().handle_field_error(error, return_type, path)

    def execute_field(self, parent_type, source, field_nodes, path):
        result = super().execute_field(parent_type, source, field_nodes, path)
        if path.prev is None and self.operation.operation == OperationType.MUTATION:
            callbacks = self._deferred_callbacks
            while callbacks:
                callbacks.pop(0)()
        return result
