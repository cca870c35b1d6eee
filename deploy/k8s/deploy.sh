#!/usr/bin/env bash
# Apply an overlay in the order the platform needs:
#   1. namespace, data plane (Kafka, topics, Postgres, databases), observability, ConfigMaps, ServiceAccounts;
#   2. the migration Jobs, and wait for every one to complete (a failed migration stops the rollout here);
#   3. the rest: Deployments, Services, HPAs, PDBs, NetworkPolicies, Ingress — the new version takes traffic.
# Usage: deploy/k8s/deploy.sh overlays/prod   (needs kubectl >= 1.27 and kustomize, or `kubectl kustomize`)
# Prerequisites (operators, Secrets, Redis): deploy/k8s/README.md.
set -euo pipefail
cd "$(dirname "$0")"
overlay=${1:?usage: deploy.sh overlays/<env>}
ns=cheyou
render() { if command -v kustomize >/dev/null; then kustomize build "$overlay"; else kubectl kustomize "$overlay"; fi; }
manifests=$(mktemp)
trap 'rm -f "$manifests"' EXIT
render >"$manifests"

# 1. everything but the workloads and the migrations
kubectl apply --server-side -f "$manifests" \
  --selector 'app.kubernetes.io/component notin (server,migration)'
# prod: the Secrets the External Secrets Operator makes (overlays/prod/external-secrets.yaml) exist before the
# database roles, the migrations and the pods need them
if grep -q '^kind: ExternalSecret$' "$manifests"; then
  kubectl -n "$ns" wait externalsecret --all --for=condition=Ready --timeout=5m
fi
kubectl -n "$ns" wait kafka/cheyou --for=condition=Ready --timeout=15m
kubectl -n "$ns" wait cluster.postgresql.cnpg.io/cheyou-pg --for=condition=Ready --timeout=15m

# 2. migrations: each service's Job runs `alembic upgrade head` with the new image; Jobs are immutable,
#    so the previous release's are deleted first
kubectl -n "$ns" delete job --selector app.kubernetes.io/component=migration --ignore-not-found --wait=true
kubectl apply --server-side -f "$manifests" --selector 'app.kubernetes.io/component=migration'
kubectl -n "$ns" wait job --selector app.kubernetes.io/component=migration --for=condition=Complete --timeout=30m

# 3. the new version
kubectl apply --server-side -f "$manifests" --selector 'app.kubernetes.io/component=server'
for deployment in gateway member-svc privilege-svc merchant-svc claims-svc notify-svc; do
  kubectl -n "$ns" rollout status "deployment/$deployment" --timeout=15m
done
