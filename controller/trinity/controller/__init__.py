"""trinityctl's library: config, agent client, cluster operations, rendering."""

import os

# gRPC's C core logs TLS handshake failures and the like to stderr at INFO; trinityctl
# reports them as one-line errors instead. Must be set before grpc is first imported.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
