"""Schemathesis hooks for the OpenAPI fuzz run (.ci/fuzz-openapi, via SCHEMATHESIS_HOOKS).

Delta buffers (`application/vnd.arbor.delta-buffers`, the body of `delta/upload`) are opaque
bytes: send the generated binary strings as they are, as for application/octet-stream.
"""
import schemathesis

schemathesis.serializer.alias("application/vnd.arbor.delta-buffers", "application/octet-stream")
