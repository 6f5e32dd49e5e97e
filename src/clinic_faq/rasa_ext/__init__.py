"""Everything Rasa-specific: NLU components, NLG, input channels, stores, actions, server launchers, patches."""
