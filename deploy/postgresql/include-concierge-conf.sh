#!/bin/bash
# Run once by the postgres image when it creates the database (deploy/compose.yaml): makes
# postgresql.conf read deploy/postgresql/concierge.conf, mounted at /etc/postgresql/.
set -euo pipefail
echo "include_if_exists = '/etc/postgresql/concierge.conf'" >> "$PGDATA/postgresql.conf"
