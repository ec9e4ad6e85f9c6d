#!/usr/bin/env bash
# One command from a fresh clone to a working bentoctl: install, build, then write and
# validate a deployment config for every target. Needs Node.js >= 20.9; no cloud account.
set -euo pipefail
cd "$(dirname "$0")/.."

export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund
npm run build

out=.bentoctl/quickstart
mkdir -p "$out"
bentoctl() { node bin/run.js "$@"; }

bentoctl init --yes --force --target aws-ecs --bento examples/iris --name iris-ecs --output "$out/aws-ecs.yaml"
bentoctl init --yes --force --target google-cloud-run --bento examples/iris --name iris-run \
  --set project=my-ml-project --region europe-west4 --output "$out/google-cloud-run.yaml"
bentoctl init --yes --force --target azure-aks --bento examples/iris --name iris-aks --output "$out/azure-aks.yaml"
bentoctl init --yes --force --target aws-ec2-gpu --bento examples/iris --name iris-gpu --output "$out/aws-ec2-gpu.yaml"

for target in aws-ecs google-cloud-run azure-aks aws-ec2-gpu; do
  bentoctl validate -f "$out/$target.yaml" >/dev/null
  echo "ok: $out/$target.yaml is valid"
done
echo
bentoctl targets list
