"""NLU pipeline components (config.yml): language detection, the n-gram intent classifier, the safety screen."""
