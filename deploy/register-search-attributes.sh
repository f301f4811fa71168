#!/bin/sh
# Registers iscflow's custom search attributes on a Temporal namespace, then exits 0; compose starts the
# worker only once this has succeeded (workflows upsert these attributes, and an upsert of an unknown
# attribute fails the workflow task).
#
# Runs in the temporalio/admin-tools image (Alpine, POSIX sh). Environment:
#   TEMPORAL_ADDRESS            host:port of the frontend, e.g. temporal:7233
#   TEMPORAL_NAMESPACE          the namespace, e.g. default
#   ISCFLOW_SEARCH_ATTRIBUTES   whitespace-separated Name=Type pairs (Type: Keyword, KeywordList, ...)
#   ISCFLOW_REGISTER_WAIT_SECONDS  how long to wait for the namespace (default 180)
#
# Idempotent: an attribute that already exists with the same type is fine (re-running `docker compose up`
# must not fail); one that exists with another type is an error, because the worker would then write
# values of the wrong type.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
: "${TEMPORAL_NAMESPACE:?TEMPORAL_NAMESPACE is required}"
: "${ISCFLOW_SEARCH_ATTRIBUTES:?ISCFLOW_SEARCH_ATTRIBUTES is required}"
wait_seconds="${ISCFLOW_REGISTER_WAIT_SECONDS:-180}"

list_attributes() {
  temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS"
}

# Compose runs this after the temporal-namespace job, but the frontend's namespace cache refreshes a
# few seconds after a namespace is created (and `docker compose run` may start it on its own): wait until
# the namespace answers.
waited=0
until list_attributes >/dev/null 2>&1; do
  if [ "$waited" -ge "$wait_seconds" ]; then
    echo "namespace '$TEMPORAL_NAMESPACE' at $TEMPORAL_ADDRESS not available after ${wait_seconds}s" >&2
    exit 1
  fi
  echo "waiting for namespace '$TEMPORAL_NAMESPACE' at $TEMPORAL_ADDRESS ..."
  sleep 2
  waited=$((waited + 2))
done

register() {
  name=$1
  type=$2
  attempt=1
  while :; do
    if out=$(temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --address "$TEMPORAL_ADDRESS" --name "$name" --type "$type" 2>&1); then
      echo "search attribute $name ($type): registered"
      return 0
    fi
    lower=$(printf '%s' "$out" | tr '[:upper:]' '[:lower:]')
    case $lower in
      *"different type"*)
        echo "search attribute $name exists with a type other than $type: $out" >&2
        return 1
        ;;
      *"already exists"* | *"already registered"*)
        echo "search attribute $name ($type): already registered"
        return 0
        ;;
    esac
    if [ "$attempt" -ge 5 ]; then
      echo "search attribute $name ($type): registration failed: $out" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

for pair in $ISCFLOW_SEARCH_ATTRIBUTES; do
  case $pair in
    ?*=?*) ;;
    *)
      echo "malformed entry '$pair' in ISCFLOW_SEARCH_ATTRIBUTES (expected Name=Type)" >&2
      exit 1
      ;;
  esac
  register "${pair%%=*}" "${pair#*=}"
done

# Trust but verify: every attribute must now be listed on the namespace.
listed=$(list_attributes)
for pair in $ISCFLOW_SEARCH_ATTRIBUTES; do
  name=${pair%%=*}
  if ! printf '%s\n' "$listed" | grep -qw -- "$name"; then
    echo "search attribute $name is not listed on namespace '$TEMPORAL_NAMESPACE' after registration" >&2
    exit 1
  fi
done
echo "all search attributes registered on namespace '$TEMPORAL_NAMESPACE'"
