#!/usr/bin/env bash
# One command from a fresh clone to a working bentoctl: install, build, write and validate a
# deployment config for every target, synthesize each Terraform stack, then serve the example
# bento locally and ask it for one prediction. Needs Node.js 22 or 24; no cloud account.
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
bentoctl init --yes --force --target azure-aks --bento examples/iris --name iris-aks \
  --set 'api_server_authorized_ip_ranges=[203.0.113.0/24]' --output "$out/azure-aks.yaml"
bentoctl init --yes --force --target aws-ec2-gpu --bento examples/iris --name iris-gpu --output "$out/aws-ec2-gpu.yaml"

# Nothing is pushed here, so the stacks pin a placeholder image digest, in a registry each
# target can pull from (generate refuses others).
digest="sha256:$(printf 'ab%.0s' $(seq 32))"
for target in aws-ecs google-cloud-run azure-aks aws-ec2-gpu; do
  case "$target" in
    google-cloud-run) image="europe-west4-docker.pkg.dev/my-ml-project/iris-run/iris-run@$digest" ;;
    azure-aks) image="example.azurecr.io/iris-aks@$digest" ;;
    *) image="123456789012.dkr.ecr.us-east-1.amazonaws.com/iris@$digest" ;;
  esac
  bentoctl validate -f "$out/$target.yaml" >/dev/null
  echo "ok: $out/$target.yaml is valid"
  bentoctl generate -f "$out/$target.yaml" --image "$image" --out "$out/stacks/$target"
done

# The same runtime the images run, on 127.0.0.1, stopped when the script ends.
log="$out/serve.log"
node bin/run.js serve examples/iris --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
  [ -n "$url" ] && curl -sf "$url/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "${url:-}" ] || { cat "$log"; echo "serve did not start" >&2; exit 1; }
echo
echo "POST $url/classify"
curl -sf -H 'content-type: application/json' -d '[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]' "$url/classify"
echo
