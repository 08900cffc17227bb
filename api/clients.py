"""Who is calling: the client address used by throttles. The rule lives in
``publishing.clients`` so that the public site counts callers as the API does."""

from publishing.clients import client_address  # noqa: F401
