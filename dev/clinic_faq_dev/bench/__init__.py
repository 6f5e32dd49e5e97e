"""`make bench`: ours against stock Rasa, what each speed-up gains, what the guardrails cost (docs/benchmarks/)."""
