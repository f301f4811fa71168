#!/bin/sh
# Creates iscflow's Temporal namespace unless it exists, then exits 0; compose registers the search
# attributes only once this has succeeded. The same script runs in the native run (src/local/production).
#
# Runs in the temporalio/admin-tools image (Alpine, POSIX sh). Environment:
#   TEMPORAL_ADDRESS                 host:port of the frontend, e.g. temporal:7233
#   TEMPORAL_NAMESPACE               the namespace, e.g. default
#   ISCFLOW_NAMESPACE_RETENTION      how long closed workflows are kept, e.g. 720h
#   ISCFLOW_NAMESPACE_WAIT_SECONDS   how long to wait for the server to serve (default 180)
#
# Idempotent: an existing namespace is left as it is (its retention included: change that with
# `temporal operator namespace update --retention`), so every `docker compose up` may run it.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is required}"
: "${ISCFLOW_NAMESPACE_RETENTION:?ISCFLOW_NAMESPACE_RETENTION is required}"
wait_seconds="${ISCFLOW_NAMESPACE_WAIT_SECONDS:-180}"

# The frontend port opens before the server can answer; `cluster health` says SERVING once it can (a
# whole-line match: NOT_SERVING contains the word too).
waited=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -Eq '^[[:space:]]*SERVING[[:space:]]*$'; do
  if [ "$waited" -ge "$wait_seconds" ]; then
    echo "Temporal at $TEMPORAL_ADDRESS is not serving after ${wait_seconds}s" >&2
    exit 1
  fi
  echo "waiting for Temporal at $TEMPORAL_ADDRESS ..."
  sleep 2
  waited=$((waited + 2))
done

if temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" \
  >/dev/null 2>&1; then
  echo "namespace '$TEMPORAL_NAMESPACE': already exists"
  exit 0
fi
temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$ISCFLOW_NAMESPACE_RETENTION" \
  --address "$TEMPORAL_ADDRESS"
echo "namespace '$TEMPORAL_NAMESPACE': created (retention $ISCFLOW_NAMESPACE_RETENTION)"
