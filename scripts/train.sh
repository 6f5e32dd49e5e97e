#!/usr/bin/env bash
# Trains the assistant only when its training inputs changed.
# The model is named after a hash of data/, domain.yml, config.yml, requirements-product.txt and the package's
# code and patterns (src/clinic_faq: the NLU components are part of the model); a model with
# that hash in models/ (or in the shared cache, $MODEL_CACHE) is reused instead of retraining.
# Prints the model's path on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

key=$( (find data src/clinic_faq -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort | xargs cat; cat domain.yml config.yml requirements-product.txt) \
       | sha256sum | cut -c1-16)
model="models/clinic-$key.tar.gz"
cache="${MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ketamine-clinic-faq/models}"

if [ -f "$model" ]; then
  echo "Model is up to date: $model" >&2
elif [ -f "$cache/clinic-$key.tar.gz" ]; then
  mkdir -p models && cp "$cache/clinic-$key.tar.gz" "$model"
  echo "Reused the cached model for these training data: $model" >&2
else
  echo "Training data changed: training a new model (about 2 to 3 minutes on 2 cores)..." >&2
  mkdir -p models
  start=$(date +%s)
  mkdir -p var/log
  if ! PYTHONWARNINGS=ignore .venv/bin/rasa train --fixed-model-name "clinic-$key" --out models >var/log/train.log 2>&1; then
    echo "Training failed. The end of var/log/train.log:" >&2
    tail -30 var/log/train.log >&2
    exit 1
  fi
  echo "Trained $model in $(( $(date +%s) - start )) s" >&2
  mkdir -p "$cache" && cp "$model" "$cache/" 2>/dev/null || true
fi
ln -sf "clinic-$key.tar.gz" models/current.tar.gz
echo "$model"
