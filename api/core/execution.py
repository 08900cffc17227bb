"""The execution context of /graphql/: graphql-sync-dataloaders' deferred
context, which resolves the dataloaders' futures in batches (one SQL query
per relation and level instead of one per object).

graphql-sync-dataloaders 0.1.1 was written for graphql-core 3.2.3; since
3.2.4 ``handle_field_error`` also takes the field's ``path`` (to drop errors
below a position already nulled by an earlier error). The library calls it
without one, which raised a TypeError instead of reporting the field's
error. Without the path an error is always reported: the only difference
is that a second error below an already nulled field is listed too."""

from graphql_sync_dataloaders import DeferredExecutionContext


class ExecutionContext(DeferredExecutionContext):
    def handle_field_error(self, error, return_type, path=None):
        return super().handle_field_error(error, return_type, path)
