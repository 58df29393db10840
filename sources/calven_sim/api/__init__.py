"""The simulator's HTTP surface: routers, request validation, auth dependencies, middleware."""
