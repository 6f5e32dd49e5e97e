"""Everything that plugs into Rasa: NLU components, the policy, the NLG, input channels, stores, actions, server
launchers, and the patches `clinic-rasa` applies (docs/architecture.md)."""
